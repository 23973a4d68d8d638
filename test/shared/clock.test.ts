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

test('SystemClock with a time scale: now() and timers run N times faster (real time, bounded to a few ms)', async () => {
  const clock = new SystemClock(1000);
  const startedReal = Date.now();
  const startedScaled = clock.now();
  // A busy wait of ~3 real ms (no sleep): the scaled clock must have moved ~3 scaled seconds.
  while (Date.now() - startedReal < 3) {
    /* spin */
  }
  const realElapsed = Date.now() - startedReal;
  const scaledElapsed = clock.now() - startedScaled;
  assert.ok(
    scaledElapsed >= realElapsed * 1000 - 1000 && scaledElapsed <= (realElapsed + 1) * 1000,
    `${scaledElapsed} vs ${realElapsed}`,
  );
  // A 60 s platform delay at scale 1000 fires after ~60 ms of real time.
  const t0 = Date.now();
  await new Promise<void>((resolve) => {
    const keepAlive = setTimeout(() => undefined, 5000); // the clock's timers are unref'd
    clock.setTimer(60_000, () => {
      clearTimeout(keepAlive);
      resolve();
    });
  });
  assert.ok(Date.now() - t0 < 1000);
});

test('SystemClock at scale 1 is wall time', () => {
  const clock = new SystemClock();
  assert.ok(Math.abs(clock.now() - Date.now()) <= 1);
});
