import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startDevApp } from '../helpers/devApp.js';
import { call, json } from '../helpers/httpCall.js';

// Handlers written for AWS with Powertools' HTTP event handler and with middy, unchanged.
const files = {
  'powertools.mjs': `
import { Router } from '@aws-lambda-powertools/event-handler/http';
const app = new Router();
app.get('/todos/:id', async ({ params, req }) => ({ id: params.id, filter: new URL(req.url).searchParams.get('filter') }));
app.post('/todos', async ({ req }) => {
  const body = await req.json();
  return new Response(JSON.stringify({ created: body.title }), { status: 201, headers: { 'content-type': 'application/json' } });
});
export const handler = async (event, context) => app.resolve(event, context);
`,
  'middy.mjs': `
import middy from '@middy/core';
import jsonBodyParser from '@middy/http-json-body-parser';
const base = async (event) => ({ statusCode: 200, body: JSON.stringify({ greeting: 'hello ' + event.body.name }) });
export const handler = middy().use(jsonBodyParser()).handler(base);
`,
};
const functions = { powertools: { handler: 'powertools.handler' }, middy: { handler: 'middy.handler' } };
const routes = { 'GET /todos/{id}': 'powertools', 'POST /todos': 'powertools', 'POST /greet': 'middy' };

for (const http of [
  { type: 'http' },
  { type: 'http', payloadFormatVersion: '1.0' },
  { type: 'rest' },
  { type: 'alb' },
]) {
  describe(`unchanged handlers behind ${JSON.stringify(http)}`, () => {
    test("Powertools' Router and middy's JSON body parser work as on AWS", async (t) => {
      const { session } = await startDevApp(t, { functions, files, config: { http: { ...http, routes } } });
      const base = session.httpUrl ?? '';
      const got = await call(base, 'GET', '/todos/42?filter=open');
      assert.equal(got.status, 200, got.body.toString());
      assert.deepEqual(json(got), { id: '42', filter: 'open' });
      const created = await call(base, 'POST', '/todos', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'write tests' }),
      });
      assert.equal(created.status, 201, created.body.toString());
      assert.deepEqual(json(created), { created: 'write tests' });
      const greeted = await call(base, 'POST', '/greet', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Ada' }),
      });
      assert.equal(greeted.status, 200, greeted.body.toString());
      assert.deepEqual(json(greeted), { greeting: 'hello Ada' });
    });
  });
}
