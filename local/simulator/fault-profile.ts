/**
 * A realistic day for the simulator, drawn at random but reproducibly (a seeded generator): every
 * answer takes a latency around a median with jitter, about 1% of requests meet a transient 503
 * (half of them after the request was acted on: the person is created and the answer is lost),
 * and the token bucket's 429s carry a Retry-After header only some of the time, as APIs differ
 * in whether they send one. The fault queue (faults.ts) plays faults on demand for tests; this
 * plays them by chance for the benchmark and for trying the command line.
 */
import type { Fault, RequestKind } from './faults';

export interface FaultProfileOptions {
  /** Same seed, same sequence of latencies and faults. Default 1. */
  seed?: number;
  /** Median answer latency, ms. */
  latencyMs: number;
  /** Latency varies uniformly within ± this share of the median. Default 0.25. */
  jitter?: number;
  /** Share of requests answered 503 once. Default 0.01. */
  transientErrorRate?: number;
  /** Share of those 503s given after the request was acted on. Default 0.5. */
  lostAfterActing?: number;
  /** Share of the rate limit's 429s that carry Retry-After. Default 0.5. */
  retryAfterShare?: number;
}

/** What the simulator asks its profile, request by request. */
export interface SimulatorProfile {
  latencyMs(): number;
  /** A fault for this request, if chance gives it one. */
  faultFor(kind: RequestKind): Fault | undefined;
  /** Whether this 429 carries Retry-After. */
  sendsRetryAfter(): boolean;
}

export class FaultProfile implements SimulatorProfile {
  private readonly random: () => number;

  constructor(private readonly options: FaultProfileOptions) {
    this.random = seededRandom(options.seed ?? 1);
  }

  latencyMs(): number {
    const jitter = this.options.jitter ?? 0.25;
    return this.options.latencyMs * (1 + jitter * (2 * this.random() - 1));
  }

  faultFor(_kind: RequestKind): Fault | undefined {
    if (this.random() >= (this.options.transientErrorRate ?? 0.01)) return undefined;
    const afterCreate = this.random() < (this.options.lostAfterActing ?? 0.5);
    return { kind: 'error', status: 503, count: 1, afterCreate };
  }

  sendsRetryAfter(): boolean {
    return this.random() < (this.options.retryAfterShare ?? 0.5);
  }
}

/** mulberry32: a small, fast generator with a 32-bit state; plenty for drawing faults. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
