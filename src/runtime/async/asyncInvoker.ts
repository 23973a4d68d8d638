import { EventEmitter } from 'node:events';
import type { AppModel } from '../../model/appSchema.js';
import type { Clock, Timer } from '../../shared/clock.js';
import { newRequestId } from '../../shared/ids.js';
import type { Logger } from '../../shared/logger.js';
import { isTributaryError } from '../../shared/tributaryError.js';
import { functionArn } from '../functionArn.js';
import type { AsyncEvent, AsyncEventStore } from './asyncEventStore.js';
import { functionErrorDelayMs, nextBackoffMs } from './asyncRetryPolicy.js';
import { type DeliveryTargets, deliver } from './destinationDelivery.js';
import { type DestinationCondition, destinationRecord, type LastResponse } from './destinationRecord.js';

/** One attempt of an event, run through the runtime's pipeline. */
export type RunAttempt = (attempt: {
  readonly functionName: string;
  readonly payload: string;
  readonly requestId: string;
  readonly attempt: number;
  readonly parentRequestId: string | undefined;
}) => Promise<LastResponse>;

/** How an event ended: delivered, or given up on (with its condition). */
export interface AsyncSettlement {
  readonly requestId: string;
  readonly functionName: string;
  readonly condition: DestinationCondition;
  readonly approximateInvokeCount: number;
}

export interface AsyncInvokerOptions {
  readonly store: AsyncEventStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly model: AppModel;
  readonly dataDir: string;
  readonly runAttempt: RunAttempt;
  readonly putObject: DeliveryTargets['putObject'];
  /** Attempts in flight per function at most (beyond, events wait on the queue rather than throttle). */
  readonly maxInFlightPerFunction?: number;
}

/**
 * Lambda's asynchronous invocation: a durable queue per app, polled by a dispatcher that runs each event
 * through the normal pipeline and applies AWS's rules — function errors retried `maximumRetryAttempts` times
 * (about 1 and 2 minutes apart), throttles and system errors backed off from 1 s to 5 minutes until
 * `maximumEventAgeInSeconds`, reserved concurrency 0 sent straight to failure, invocation records to the
 * `onSuccess` / `onFailure` destinations. Delivery is at least once: after a crash, events that were running
 * run again.
 */
export class AsyncInvoker {
  readonly events = new EventEmitter<{
    settled: [AsyncSettlement];
    /** An attempt failed and the event went back on the queue until `nextAt`. */
    'retry-scheduled': [{ requestId: string; reason: 'function-error' | 'throttled' | 'system-error'; nextAt: number }];
  }>();
  private readonly options: AsyncInvokerOptions;
  private readonly running = new Set<string>();
  private readonly inFlight = new Map<string, number>();
  private readonly attempts = new Set<Promise<void>>();
  private pendingAdds: { event: AsyncEvent; done: (error?: unknown) => void }[] = [];
  private timer: Timer | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private started = false;
  private stopped = false;

  constructor(options: AsyncInvokerOptions) {
    this.options = options;
  }

  /** Starts dispatching (events left from a previous run first). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.pump();
  }

  /** Events on the queue (waiting or running). */
  get queued(): number {
    return this.options.store.size;
  }

  /**
   * Accepts an event; resolves with its request id once it is on disk (the 202). Enqueues in the same tick
   * share one fsync.
   */
  enqueue(input: {
    functionName: string;
    payload: string;
    parentRequestId?: string;
    requestId?: string;
  }): Promise<string> {
    const now = this.options.clock.now();
    const event: AsyncEvent = {
      id: input.requestId ?? newRequestId(),
      functionName: input.functionName,
      payload: input.payload,
      enqueuedAt: now,
      failedAttempts: 0,
      invokeCount: 0,
      nextAt: now,
      backoffMs: 0,
      parentRequestId: input.parentRequestId ?? null,
    };
    return new Promise((resolve, reject) => {
      if (this.pendingAdds.length === 0) setImmediate(() => this.flushAdds());
      this.pendingAdds.push({ event, done: (error) => (error === undefined ? resolve(event.id) : reject(error)) });
    });
  }

  /** Stops dispatching and waits for running attempts; queued events stay on disk for the next start. */
  async dispose(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.flushAdds();
    await Promise.allSettled([...this.attempts]);
    this.options.store.close();
  }

  private flushAdds(): void {
    const batch = this.pendingAdds;
    this.pendingAdds = [];
    if (batch.length === 0) return;
    try {
      this.options.store.add(batch.map((b) => b.event));
      for (const b of batch) b.done();
    } catch (error) {
      for (const b of batch) b.done(error);
    }
    if (this.started) this.pump();
  }

  private capacity(functionName: string): number {
    const reserved = this.options.model.functions[functionName]?.reservedConcurrency;
    const cap = this.options.maxInFlightPerFunction ?? 64;
    return reserved === undefined ? cap : Math.min(cap, Math.max(1, reserved));
  }

  /** Starts every due event there is room for, then sleeps until the next one falls due. */
  private pump(): void {
    if (this.stopped || !this.started) return;
    const now = this.options.clock.now();
    for (const event of this.options.store.due(now, 512)) {
      if (this.running.has(event.id)) continue;
      const inFlight = this.inFlight.get(event.functionName) ?? 0;
      if (inFlight >= this.capacity(event.functionName)) continue;
      this.running.add(event.id);
      this.inFlight.set(event.functionName, inFlight + 1);
      const attempt = this.attempt(event)
        .catch((error: unknown) => {
          this.options.logger.error({ requestId: event.id, error: String(error) }, 'async attempt failed unexpectedly');
        })
        .finally(() => {
          this.running.delete(event.id);
          this.inFlight.set(event.functionName, (this.inFlight.get(event.functionName) ?? 1) - 1);
          this.attempts.delete(attempt);
          this.pump();
        });
      this.attempts.add(attempt);
    }
    this.sleepUntilNextDue(now);
  }

  private sleepUntilNextDue(now: number): void {
    const next = this.options.store.nextDueAt();
    if (next === undefined || next <= now) return; // due ones are running or wait for room: a finish pumps
    if (next >= this.timerAt && this.timer !== undefined) return;
    this.timer?.cancel();
    this.timerAt = next;
    this.timer = this.options.clock.setTimer(next - now, () => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.pump();
    });
  }

  private async attempt(event: AsyncEvent): Promise<void> {
    const { clock, store, model } = this.options;
    const config = model.functions[event.functionName];
    if (config === undefined) {
      this.options.logger.warn(
        { requestId: event.id, functionName: event.functionName },
        'async event for a function no longer in the app; dropped',
      );
      store.remove(event.id);
      return;
    }
    const maxAgeMs = config.async.maximumEventAgeInSeconds * 1000;
    if (config.reservedConcurrency === 0) return this.settle(event, 'RetriesExhausted', undefined, event.invokeCount);
    if (clock.now() - event.enqueuedAt >= maxAgeMs)
      return this.settle(event, 'EventAgeExceeded', undefined, event.invokeCount);

    let response: LastResponse;
    try {
      response = await this.options.runAttempt({
        functionName: event.functionName,
        payload: event.payload,
        requestId: event.id,
        attempt: event.invokeCount + 1,
        parentRequestId: event.parentRequestId ?? undefined,
      });
    } catch (error) {
      // Throttles and system errors: back on the queue with exponential backoff, until the event is too old.
      const backoffMs = nextBackoffMs(event.backoffMs);
      const nextAt = clock.now() + backoffMs;
      if (nextAt - event.enqueuedAt >= maxAgeMs)
        return this.settle(event, 'EventAgeExceeded', undefined, event.invokeCount);
      if (!isTributaryError(error, 'ERR_THROTTLED')) {
        this.options.logger.warn(
          { requestId: event.id, error: String(error) },
          'async attempt hit a system error; retrying',
        );
      }
      store.reschedule({ ...event, nextAt, backoffMs });
      this.sleepUntilNextDue(clock.now());
      const reason = isTributaryError(error, 'ERR_THROTTLED') ? 'throttled' : 'system-error';
      this.events.emit('retry-scheduled', { requestId: event.id, reason, nextAt });
      return;
    }
    const invokeCount = event.invokeCount + 1;
    if (response.functionError === undefined) return this.settle(event, 'Success', response, invokeCount);
    const failedAttempts = event.failedAttempts + 1;
    if (failedAttempts > config.async.maximumRetryAttempts)
      return this.settle(event, 'RetriesExhausted', response, invokeCount);
    const nextAt = clock.now() + functionErrorDelayMs(failedAttempts);
    store.reschedule({ ...event, failedAttempts, invokeCount, nextAt, backoffMs: 0 });
    this.sleepUntilNextDue(clock.now());
    this.events.emit('retry-scheduled', { requestId: event.id, reason: 'function-error', nextAt });
  }

  /** Sends the record to the destination for `condition` (if one is configured) and forgets the event. */
  private async settle(
    event: AsyncEvent,
    condition: DestinationCondition,
    response: LastResponse | undefined,
    invokeCount: number,
  ): Promise<void> {
    const { model, clock, store } = this.options;
    const config = model.functions[event.functionName];
    const destination = condition === 'Success' ? config?.async.onSuccess : config?.async.onFailure;
    if (destination !== undefined) {
      const now = clock.now();
      const record = destinationRecord({
        requestId: event.id,
        functionArn: functionArn(model.region, event.functionName),
        condition,
        approximateInvokeCount: invokeCount,
        requestPayload: event.payload,
        response,
        timestamp: now,
      });
      const targets: DeliveryTargets = {
        dataDir: this.options.dataDir,
        invokeAsync: (functionName, payload, parentRequestId) =>
          this.enqueue({ functionName, payload, parentRequestId }),
        putObject: this.options.putObject,
      };
      await deliver(destination, record, { targets, functionName: event.functionName, requestId: event.id, now });
    } else if (condition !== 'Success') {
      this.options.logger.warn(
        { requestId: event.id, functionName: event.functionName, condition },
        'async event discarded (no onFailure destination)',
      );
    }
    store.remove(event.id);
    this.events.emit('settled', {
      requestId: event.id,
      functionName: event.functionName,
      condition,
      approximateInvokeCount: invokeCount,
    });
  }
}
