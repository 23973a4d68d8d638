import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { partialBatchOutcome } from '../../src/eventSources/batchResponse.js';
import { matchesPattern } from '../../src/eventSources/eventPattern.js';

const record = {
  eventName: 'MODIFY',
  dynamodb: { NewImage: { status: { S: 'Shipped' }, total: { N: '42.5' }, tags: { SS: ['a', 'b'] } } },
};

describe('filter patterns (EventBridge syntax, as Lambda applies them)', () => {
  const cases: [string, Record<string, unknown>, boolean][] = [
    ['equals', { eventName: ['MODIFY'] }, true],
    ['one of several values', { eventName: ['INSERT', 'MODIFY'] }, true],
    ['equals fails', { eventName: ['INSERT'] }, false],
    ['nested prefix', { dynamodb: { NewImage: { status: { S: [{ prefix: 'Ship' }] } } } }, true],
    ['suffix', { dynamodb: { NewImage: { status: { S: [{ suffix: 'ped' }] } } } }, true],
    ['equals-ignore-case', { dynamodb: { NewImage: { status: { S: [{ 'equals-ignore-case': 'shipped' }] } } } }, true],
    [
      'numeric range on an N string',
      { dynamodb: { NewImage: { total: { N: [{ numeric: ['>=', 40, '<', 50] }] } } } },
      true,
    ],
    ['numeric out of range', { dynamodb: { NewImage: { total: { N: [{ numeric: ['>', 50] }] } } } }, false],
    ['exists', { dynamodb: { NewImage: { status: [{ exists: true }] } } }, true],
    ['exists false on a missing field', { dynamodb: { NewImage: { vip: [{ exists: false }] } } }, true],
    ['exists false on a present field', { dynamodb: { NewImage: { status: [{ exists: false }] } } }, false],
    ['anything-but a list', { eventName: [{ 'anything-but': ['INSERT', 'REMOVE'] }] }, true],
    ['anything-but matches the value', { eventName: [{ 'anything-but': 'MODIFY' }] }, false],
    ['anything-but prefix', { eventName: [{ 'anything-but': { prefix: 'MOD' } }] }, false],
    ['array value: any element', { dynamodb: { NewImage: { tags: { SS: ['b'] } } } }, true],
    ['all fields must match', { eventName: ['MODIFY'], dynamodb: { NewImage: { status: { S: ['Lost'] } } } }, false],
    ['a missing nested object', { dynamodb: { OldImage: { status: { S: ['Shipped'] } } } }, false],
  ];
  for (const [name, pattern, expected] of cases)
    test(name, () => assert.equal(matchesPattern(pattern, record), expected));
});

describe('partial batch responses, as Lambda reads them', () => {
  const ids = ['101', '102', '103'];
  test('empty and null answers are complete success', () => {
    for (const payload of ['', 'null', '{}', '{"batchItemFailures":[]}', '{"batchItemFailures":null}', '"ok"'])
      assert.deepEqual(partialBatchOutcome(payload, ids), { kind: 'success' }, payload);
  });
  test('the lowest failed record is where processing resumes', () => {
    assert.deepEqual(
      partialBatchOutcome('{"batchItemFailures":[{"itemIdentifier":"103"},{"itemIdentifier":"102"}]}', ids),
      { kind: 'partial', from: 1 },
    );
  });
  test('empty, null, unknown or misnamed identifiers fail the whole batch', () => {
    for (const failure of [
      '{"itemIdentifier":""}',
      '{"itemIdentifier":null}',
      '{"itemIdentifier":"999"}',
      '{"id":"101"}',
    ])
      assert.equal(partialBatchOutcome(`{"batchItemFailures":[${failure}]}`, ids).kind, 'failure', failure);
  });
});
