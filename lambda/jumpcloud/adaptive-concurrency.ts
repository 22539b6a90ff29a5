/**
 * How many JumpCloud requests may be in flight, adjusted to what the API tolerates (AIMD, as TCP
 * does): halve on a 429, add one after a run of successes, never below 1 nor above the
 * configured maximum. JumpCloud publishes no rate limit (API notes, "Rate limits"), so the
 * client learns it from the 429s.
 */
import pLimit, { type LimitFunction } from 'p-limit';

/** What a request reports back about how the API treated it. */
export interface CongestionFeedback {
  /** The API answered 429. */
  throttled(): void;
  /** The API answered without pushing back. */
  succeeded(): void;
}

export class AdaptiveConcurrency {
  private readonly limit: LimitFunction;
  /** Bumped on every cut; requests started before a cut do not cut again. */
  private epoch = 0;
  private successesSinceChange = 0;

  constructor(
    readonly max: number,
    private readonly onChange: (concurrency: number, cause: 'throttled' | 'recovered') => void = () => {},
  ) {
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`concurrency must be a whole number from 1 up, got ${max}`);
    this.limit = pLimit(max);
  }

  /** The number of requests currently allowed in flight. */
  get current(): number {
    return this.limit.concurrency;
  }

  /** Runs `task` when a slot is free; the task reports how the API treated it. */
  run<T>(task: (feedback: CongestionFeedback) => Promise<T>): Promise<T> {
    return this.limit(() => {
      const startedIn = this.epoch;
      return task({
        throttled: () => this.throttled(startedIn),
        succeeded: () => this.succeeded(),
      });
    });
  }

  private throttled(startedIn: number): void {
    this.successesSinceChange = 0;
    // A burst of 429s from requests already in flight is one signal, not eight: cut once per window.
    if (startedIn !== this.epoch) return;
    this.epoch++;
    const next = Math.max(1, Math.floor(this.current / 2));
    if (next === this.current) return;
    this.limit.concurrency = next;
    this.onChange(next, 'throttled');
  }

  private succeeded(): void {
    if (this.current >= this.max) return;
    this.successesSinceChange++;
    if (this.successesSinceChange < this.current) return;
    this.successesSinceChange = 0;
    this.limit.concurrency = this.current + 1;
    this.onChange(this.current, 'recovered');
  }
}
