import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../helpers/runCli.js';
import { configFile, tempApp } from '../helpers/tempApp.js';

// The CLI is tested as users run it: the compiled bin, in a child process (npm test builds first).
const BIN = join(process.cwd(), 'dist', 'cli', 'main.js');

const run = runCli;

const app = {
  'package.json': '{"type":"module"}',
  'tributary.config.ts': configFile({
    name: 'cli-app',
    functions: { echo: { handler: 'echo.handler' }, fail: { handler: 'fail.handler' } },
  }),
  'echo.ts': 'export const handler = async (event: unknown) => { console.log("echoing"); return { got: event }; };',
  'fail.mjs': 'export const handler = async () => { throw new TypeError("nope"); };',
};

describe('tributary CLI', () => {
  test('--help on every command', async () => {
    for (const args of [['--help'], ['dev', '--help'], ['invoke', '--help'], ['logs', '--help']]) {
      const result = await run(args);
      assert.equal(result.code, 0, args.join(' '));
      assert.match(result.stdout, /Usage: tributary/);
    }
  });

  test('invoke prints the result; --log prints the execution log on stderr', async (t) => {
    const dir = await tempApp(t, { ...app, 'event.json': '{"customerId":"c-1"}' });
    const result = await run(['invoke', 'echo', '--app', dir, '--event', join(dir, 'event.json'), '--log']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { got: { customerId: 'c-1' } });
    assert.match(result.stderr, /^START RequestId: [0-9a-f-]+ Version: \$LATEST$/m);
    assert.match(result.stderr, /\tINFO\techoing$/m);
    assert.match(result.stderr, /^REPORT RequestId: .*Init Duration/m);
  });

  test('invoke reads the event from standard input with --event -', async (t) => {
    const dir = await tempApp(t, app);
    const result = await run(['invoke', 'echo', '--app', dir, '--event', '-'], '{"from":"stdin"}');
    assert.deepEqual(JSON.parse(result.stdout), { got: { from: 'stdin' } });
  });

  test('a function error prints the error document and exits 1', async (t) => {
    const dir = await tempApp(t, app);
    const result = await run(['invoke', 'fail', '--app', dir]);
    assert.equal(result.code, 1);
    assert.equal(JSON.parse(result.stdout).errorType, 'TypeError');
  });

  test('errors are one clear line plus what to do, never a stack trace', async (t) => {
    const dir = await tempApp(t, app);
    const unknown = await run(['invoke', 'nope', '--app', dir]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^error: Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope$/m);
    assert.match(unknown.stderr, /^hint: /m);
    assert.doesNotMatch(unknown.stderr, /\n\s+at /);

    const badEvent = await run(['invoke', 'echo', '--app', dir, '--event', join(dir, 'missing.json')]);
    assert.equal(badEvent.code, 1);
    assert.match(badEvent.stderr, /^error: Cannot read the event file/m);

    const notJson = await run(['invoke', 'echo', '--app', dir, '--event', '-'], '{oops');
    assert.match(notJson.stderr, /^error: Could not parse request body into json/m);
  });

  test('an invalid config lists every problem, exits non-zero and starts nothing', async (t) => {
    const dir = await tempApp(t, {
      'tributary.config.mjs': configFile({
        name: 'x',
        functions: { a: { handler: 'a.h', timeout: 0, memorySize: 1 } },
      }),
    });
    for (const args of [
      ['dev', dir],
      ['invoke', 'a', '--app', dir],
    ]) {
      const result = await run(args);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /has 2 problems:/);
      assert.match(result.stderr, /functions\.a\.timeout: .*>=1.*\(got 0\)/);
      assert.match(result.stderr, /functions\.a\.memorySize: .*>=128.*\(got 1\)/);
      assert.equal(result.stdout, '', 'nothing started');
    }
  });

  test('logs prints the execution logs of recent invocations, filtered by function', async (t) => {
    const dir = await tempApp(t, app);
    await run(['invoke', 'echo', '--app', dir]);
    await run(['invoke', 'fail', '--app', dir]);
    const all = await run(['logs', '--app', dir]);
    assert.equal((all.stdout.match(/^START RequestId/gm) ?? []).length, 2);
    const one = await run(['logs', 'echo', '--app', dir]);
    assert.equal((one.stdout.match(/^START RequestId/gm) ?? []).length, 1);
    assert.match(one.stdout, /\tINFO\techoing$/m);
  });

  test('dev prints what it serves, then stops cleanly on Ctrl-C (SIGINT)', async (t) => {
    const dir = await tempApp(t, app);
    const child: ChildProcess = spawn(process.execPath, [BIN, 'dev', dir, '--edge-port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.after(() => child.kill('SIGKILL'));
    let stdout = '';
    const ready = new Promise<void>((resolve) => {
      child.stdout?.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('Ctrl-C to stop')) resolve();
      });
    });
    await ready;
    assert.match(stdout, /app "cli-app"/);
    assert.match(stdout, /echo\s+echo\.handler\s+\(128 MB, 3 s\)/);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.kill('SIGINT');
    const [code, signal] = (await once(child, 'close')) as [number | null, string | null];
    assert.equal(code, 0, `exit signal ${signal}; stdout: ${stdout}; stderr: ${stderr}`);
    assert.match(stdout, /stopped/);
  });

  test('logs shows one chain per event: retries under their first attempt', async (t) => {
    const dir = await tempApp(t, app);
    const base = {
      functionName: 'echo',
      invocationType: 'Event',
      parentRequestId: undefined,
      coldStart: false,
      startTime: Date.parse('2026-01-01T00:00:00Z'),
      initDurationMs: undefined,
      durationMs: 1,
      billedDurationMs: 1,
      memorySizeMb: 128,
      maxMemoryUsedMb: 5,
      gbSeconds: 0.000125,
      costUsd: 0.0000002,
      environmentId: 'e1',
      functionLog: [],
    };
    const records = [
      {
        ...base,
        requestId: 'event-1',
        firstAttemptId: 'event-1',
        attempt: 1,
        outcome: 'error',
        errorType: 'TypeError',
      },
      { ...base, requestId: 'other', firstAttemptId: 'other', attempt: 1, outcome: 'success', errorType: undefined },
      {
        ...base,
        requestId: 'event-1',
        firstAttemptId: 'event-1',
        attempt: 2,
        outcome: 'success',
        errorType: undefined,
      },
    ];
    await mkdir(join(dir, '.tributary'), { recursive: true });
    await writeFile(
      join(dir, '.tributary', 'invocations.ndjson'),
      `${records.map((r) => JSON.stringify(r)).join('\n')}\n`,
    );
    const logs = await run(['logs', '--app', dir]);
    assert.match(logs.stdout, /^== echo event-1: 2 attempts \(error -> success\)$/m);
    const order = [...logs.stdout.matchAll(/attempt 2 of event-1|req event-1|req other/g)].map((m) => m[0]);
    assert.deepEqual(
      order,
      ['req event-1', 'attempt 2 of event-1', 'req event-1', 'req other'],
      'the retry is printed with its first attempt',
    );
  });

  test('logs --follow prints invocations made after it started, then stops on Ctrl-C', {
    timeout: 30_000,
  }, async (t) => {
    const dir = await tempApp(t, app);
    const follower = spawn(process.execPath, [BIN, 'logs', '--app', dir, '--follow'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.after(() => follower.kill('SIGKILL'));
    let followed = '';
    const sawInvocation = new Promise<void>((resolve) => {
      follower.stdout?.on('data', (d: Buffer) => {
        followed += d.toString();
        if (followed.includes('\tINFO\techoing')) resolve();
      });
    });
    // The follower is watching before the file even exists; each invoke appends records to it.
    const invoked = await run(['invoke', 'echo', '--app', dir]);
    assert.equal(invoked.code, 0);
    await sawInvocation;
    assert.match(followed, /^START RequestId: /m);
    follower.kill('SIGINT');
    const [code] = (await once(follower, 'close')) as [number | null];
    assert.equal(code, 0);
  });

  test('a taken port is one clear error naming the option, not a hang; invoke never takes the HTTP port', {
    timeout: 60_000,
  }, async (t) => {
    const dir = await tempApp(t, {
      ...app,
      'tributary.config.ts': configFile({
        name: 'cli-app',
        http: { routes: { 'GET /echo': 'echo' } },
        functions: { echo: { handler: 'echo.handler' } },
      }),
    });
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    t.after(() => blocker.close());
    const port = String((blocker.address() as AddressInfo).port);
    for (const [flag, what] of [
      ['--port', 'HTTP API'],
      ['--edge-port', 'local AWS endpoint'],
    ] as const) {
      const other = flag === '--port' ? ['--edge-port', '0'] : ['--port', '0'];
      const result = await run(['dev', dir, flag, port, ...other]);
      assert.equal(result.code, 1, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(`^error: Cannot serve the ${what} on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)$`, 'm'),
      );
      assert.match(result.stderr, new RegExp(`^hint: .*${flag}`, 'm'));
    }
    // The README has users invoke beside a running `npm start` (HTTP API on 3000): hold 3000 and invoke.
    const port3000 = createServer();
    port3000.on('error', () => undefined); // already taken by something else: the condition holds anyway
    port3000.listen(3000, '127.0.0.1');
    t.after(() => port3000.close());
    const invoked = await run(['invoke', 'echo', '--app', dir, '--event', '-'], '{"n":1}');
    assert.equal(invoked.code, 0, invoked.stderr);
    assert.deepEqual(JSON.parse(invoked.stdout), { got: { n: 1 } });
  });

  test('invoke and logs keep state in --data-dir when given', async (t) => {
    const dir = await tempApp(t, app);
    const invoked = await run(['invoke', 'echo', '--app', dir, '--data-dir', join(dir, 'state')]);
    assert.equal(invoked.code, 0);
    const logs = await run(['logs', '--app', dir, '--data-dir', join(dir, 'state')]);
    assert.match(logs.stdout, /START RequestId/);
    assert.ok(existsSync(join(dir, 'state', 'invocations.ndjson')));
    assert.ok(!existsSync(join(dir, '.tributary')), 'nothing written to the default data dir');
  });
});
