/**
 * How many JumpCloud requests may be in flight, and how fast they may start. JumpCloud publishes
 * no rate limit (API notes, "Rate limits"), so the client learns it from the answers:
 *
 * - Until JumpCloud pushes back, latency is what limits: requests in flight start at 8 (the
 *   fan-out of JumpCloud's own CLI) and grow by one per round of successes while every slot is
 *   busy, up to the configured maximum.
 * - Once 429s show where the limit is, requests are paced (a client-side token bucket) a little
 *   under the rate JumpCloud let through while it was throttling, and the pace creeps back up
 *   while no 429 comes, so a limit that rises is found again. Pacing costs no extra requests;
 *   overshooting costs a 429 and a resend each.
 * - A 429 with too few answers around it to measure a rate (the first answers are 429s) halves
 *   the requests in flight instead, as TCP does.
 */
import pLimit, { type LimitFunction } from 'p-limit';

/** Requests in flight at the start: JumpCloud's own CLI caps its fan-out at 8 (API notes, "Rate limits"). */
export const STARTING_CONCURRENCY = 8;
/** The default most requests in flight (`JUMPCLOUD_CONCURRENCY`, `--concurrency`, `jumpcloudConcurrency`). */
export const DEFAULT_MAX_CONCURRENCY = 64;
/** The largest maximum a setting may ask for. */
export const CONCURRENCY_CEILING = 64;

/** Answers are counted in slots of this length to measure the rate JumpCloud lets through. */
const SLOT_MS = 250;
/** How many recent slots the measure looks at. */
const SLOTS = 8;
/** Fewer accepted answers than this in throttled slots is too few to call a rate. */
const MIN_ACCEPTED_TO_MEASURE = 5;
/**
 * A share of 429s at least this large means requests were sent faster than JumpCloud let them
 * through, so what got through is its rate; a stray 429 among many answers says only that the
 * pace was about right.
 */
const SATURATED_SHARE = 0.1;
/** How far under the measured rate requests are paced after a 429: room for latency jitter. */
const PACE_MARGIN = 0.03;
/**
 * Steps up the pace takes after each second without a 429: small up to the rate last measured,
 * where the 429s were; past it, the limit may have risen (or was measured low), so each further
 * quiet second doubles the step, up to the cap.
 */
const STEP_TO_KNOWN_LIMIT = 0.005;
const FIRST_PROBE = 0.01;
const MAX_PROBE = 0.04;
/** Never paced slower than this, in requests a second. */
const SLOWEST_PACE = 1;

/** What a request reports back about how the API treated it. */
export interface CongestionFeedback {
  /** The API answered 429. */
  throttled(): void;
  /** The API answered without pushing back. */
  succeeded(): void;
}

export type LimiterChange =
  | { cause: 'throttled' | 'recovered'; concurrency: number }
  | { cause: 'paced'; requestsPerSecond: number };

export interface AdaptiveConcurrencyOptions {
  /** The most requests in flight, whatever latency and the API allow. */
  max: number;
  /** Requests in flight at the start; default the smaller of 8 and `max`. */
  initial?: number;
  /** Told when requests in flight or the pace change because of what the API answered. */
  onChange?: (change: LimiterChange) => void;
  /** Milliseconds; default `performance.now`. */
  now?: () => number;
  /** Waits for the pace; default a timer. */
  wait?: (ms: number) => Promise<void>;
}

interface Slot {
  index: number;
  accepted: number;
  throttled: number;
}

export class AdaptiveConcurrency {
  readonly max: number;
  private readonly limit: LimitFunction;
  private readonly onChange: (change: LimiterChange) => void;
  private readonly now: () => number;
  private readonly wait: (ms: number) => Promise<void>;
  /** Bumped on every cut; requests started before a cut do not cut again. */
  private epoch = 0;
  private successesSinceChange = 0;
  /** Requests a second once 429s have shown the limit; undefined until then (unpaced). */
  private pace: number | undefined;
  /** When the next request may start under the pace. */
  private nextStartAt = 0;
  /** No request starts before this: JumpCloud said its allowance is spent until then. */
  private heldUntil = 0;
  private acceptedSincePaceChange = 0;
  /** Whether a request had to wait for the pace since the last change: only then is a faster pace worth trying. */
  private paceHeldBack = false;
  private probe = FIRST_PROBE;
  /** The rate JumpCloud let through when it last throttled. */
  private knownLimit = 0;
  private readonly slots: Slot[] = [];

  constructor(options: AdaptiveConcurrencyOptions) {
    const { max } = options;
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`concurrency must be a whole number from 1 up, got ${max}`);
    this.max = max;
    this.limit = pLimit(Math.min(max, options.initial ?? STARTING_CONCURRENCY));
    this.onChange = options.onChange ?? (() => {});
    this.now = options.now ?? (() => performance.now());
    this.wait = options.wait ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** The number of requests currently allowed in flight. */
  get current(): number {
    return this.limit.concurrency;
  }

  /** Requests a second once 429s have shown the limit; undefined while unpaced. */
  get requestsPerSecond(): number | undefined {
    return this.pace;
  }

  /** Runs `task` when a slot is free and the pace allows; the task reports how the API treated it. */
  run<T>(task: (feedback: CongestionFeedback) => Promise<T>): Promise<T> {
    return this.limit(async () => {
      // Only a window that was full when a request started is proven: grow only then.
      const crowded = this.limit.activeCount >= this.limit.concurrency || this.limit.pendingCount > 0;
      await this.awaitPace();
      const startedIn = this.epoch;
      return task({
        throttled: () => this.throttled(startedIn),
        succeeded: () => this.succeeded(crowded),
      });
    });
  }

  /** Starts no request for `ms`: the API said its allowance is spent until then. */
  holdFor(ms: number): void {
    this.heldUntil = Math.max(this.heldUntil, this.now() + ms);
  }

  /** Holds a request until its turn under the pace (evenly spaced, no bursts) and any hold. */
  private async awaitPace(): Promise<void> {
    const now = this.now();
    let startAt = Math.max(now, this.heldUntil);
    if (this.pace !== undefined) {
      startAt = Math.max(startAt, this.nextStartAt);
      this.nextStartAt = startAt + 1000 / this.pace;
      if (startAt > now) this.paceHeldBack = true;
    }
    if (startAt > now) await this.wait(startAt - now);
  }

  private throttled(startedIn: number): void {
    this.count('throttled');
    this.successesSinceChange = 0;
    this.acceptedSincePaceChange = 0;
    // A burst of 429s from requests already in flight is one signal, not eight: cut once per window.
    if (startedIn !== this.epoch) return;
    this.epoch++;
    const measured = this.measureWhileThrottled();
    if (measured === undefined) {
      this.setConcurrency(Math.max(1, Math.floor(this.current / 2)), 'throttled');
      return;
    }
    const { accepted, sent } = measured;
    const saturated = sent - accepted >= SATURATED_SHARE * sent;
    // Saturated: JumpCloud's rate is what got through. Else just under what was sent, or the pace.
    const limit = saturated ? Math.min(this.pace ?? accepted, accepted) : (this.pace ?? sent);
    this.knownLimit = limit;
    this.setPace(limit * (1 - PACE_MARGIN));
    this.probe = FIRST_PROBE;
  }

  private succeeded(crowded: boolean): void {
    this.count('accepted');
    if (this.pace !== undefined) {
      this.acceptedSincePaceChange++;
      // About a second of answers without a 429 while the pace held requests back: try a little faster.
      if (this.acceptedSincePaceChange >= this.pace && this.paceHeldBack) {
        if (this.pace < this.knownLimit) {
          this.setPace(Math.min(this.knownLimit, this.pace * (1 + STEP_TO_KNOWN_LIMIT)));
        } else {
          this.setPace(this.pace * (1 + this.probe));
          this.probe = Math.min(MAX_PROBE, this.probe * 2);
        }
      }
    }
    if (this.current >= this.max || !crowded) return;
    this.successesSinceChange++;
    if (this.successesSinceChange < this.current) return;
    this.setConcurrency(this.current + 1, 'recovered');
  }

  private setConcurrency(next: number, cause: 'throttled' | 'recovered'): void {
    this.successesSinceChange = 0;
    if (next === this.current) return;
    this.limit.concurrency = next;
    this.onChange({ cause, concurrency: next });
  }

  private setPace(requestsPerSecond: number): void {
    const cut = this.pace === undefined || requestsPerSecond < this.pace;
    this.pace = Math.max(SLOWEST_PACE, requestsPerSecond);
    this.acceptedSincePaceChange = 0;
    this.paceHeldBack = false;
    if (cut) this.onChange({ cause: 'paced', requestsPerSecond: this.pace });
  }

  private count(answer: 'accepted' | 'throttled'): void {
    const index = Math.floor(this.now() / SLOT_MS);
    let slot = this.slots.at(-1);
    if (slot?.index !== index) {
      slot = { index, accepted: 0, throttled: 0 };
      this.slots.push(slot);
      if (this.slots.length > SLOTS) this.slots.shift();
    }
    slot[answer]++;
  }

  /**
   * Answers a second in recent slots that also saw a 429, accepted and all: while JumpCloud
   * throttles, what gets through is its limit. Undefined when too few got through to tell.
   */
  private measureWhileThrottled(): { accepted: number; sent: number } | undefined {
    const now = this.now();
    const oldest = Math.floor(now / SLOT_MS) - SLOTS + 1;
    let accepted = 0;
    let throttled = 0;
    let ms = 0;
    for (const slot of this.slots) {
      if (slot.index < oldest || slot.throttled === 0) continue;
      accepted += slot.accepted;
      throttled += slot.throttled;
      // The current slot counts only as far as it has run.
      ms += Math.min(SLOT_MS, now - slot.index * SLOT_MS);
    }
    if (accepted < MIN_ACCEPTED_TO_MEASURE || ms < SLOT_MS) return undefined;
    return { accepted: (accepted * 1000) / ms, sent: ((accepted + throttled) * 1000) / ms };
  }
}
