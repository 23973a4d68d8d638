import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, SystemClock } from '../../src/shared/clock.js';

test('ManualClock fires due timers in order, once, and only when advanced', () => {
  const clock = new ManualClock(1000);
  const fired: string[] = [];
  clock.setTimer(30, () => fired.push('c'));
  clock.setTimer(10, () => {
    fired.push('a');
    clock.setTimer(5, () => fired.push('a+5'));
  });
  const cancelled = clock.setTimer(20, () => fired.push('cancelled'));
  cancelled.cancel();
  clock.advance(9);
  assert.deepEqual(fired, []);
  clock.advance(21);
  assert.deepEqual(fired, ['a', 'a+5', 'c']);
  assert.equal(clock.now(), 1030);
  assert.equal(clock.pendingTimers, 0);
});

test('SystemClock rejects a time scale that is not positive', () => {
  assert.throws(() => new SystemClock(0), RangeError);
  assert.equal(new SystemClock(60).timeScale, 60);
});
