/**
 * The trouble a real JumpCloud run meets, on demand: throttling, 5xx, slow and dropped answers
 * (before or after the request was acted on), answer latency and a token-bucket rate limit.
 */

export type Fault =
  /** The next `count` requests get 429. */
  | { kind: 'throttle'; count: number; retryAfterSeconds?: number }
  /** `afterCreate`: the request IS acted on (user created or updated, member added), then the error is returned. */
  | { kind: 'error'; status: 500 | 502 | 503 | 504; count: number; afterCreate?: boolean }
  /** The request is acted on at once, its answer held back `delayMs` (beyond the client's timeout). */
  | { kind: 'slow'; delayMs: number; count: number }
  /** The socket is destroyed without an answer, before or after acting. */
  | { kind: 'drop'; count: number; afterCreate: boolean };

/**
 * Which requests a fault applies to: creates (POST /api/systemusers), lookups (GET
 * /api/systemusers...), updates (PUT /api/systemusers/{id}), groups (any /api/v2 request), or
 * any request (default).
 */
export type FaultPath = 'create' | 'lookup' | 'update' | 'groups' | 'any';

/** The fault path a request falls under; `other` only ever matches `any`. */
export type RequestKind = Exclude<FaultPath, 'any'> | 'other';

export function requestKind(method: string, path: string): RequestKind {
  if (path.startsWith('/api/v2/')) return 'groups';
  if (!path.startsWith('/api/systemusers')) return 'other';
  if (method === 'POST') return 'create';
  if (method === 'PUT') return 'update';
  return 'lookup';
}

type PendingFault = Fault & { path: FaultPath; remaining: number };

/** Faults in the order given, each spent on the next `count` requests on its path. */
export class FaultQueue {
  private pending: PendingFault[] = [];

  add(faults: readonly (Fault & { path?: FaultPath })[]): void {
    this.pending.push(
      ...faults.map((fault) => ({ ...fault, path: fault.path ?? 'any', remaining: fault.count })),
    );
  }

  /** The fault for this request, if any, spending one of its count. */
  take(kind: RequestKind): Fault | undefined {
    const fault = this.pending.find((f) => f.remaining > 0 && (f.path === 'any' || f.path === kind));
    if (fault) fault.remaining--;
    this.pending = this.pending.filter((f) => f.remaining > 0);
    return fault;
  }

  clear(): void {
    this.pending = [];
  }
}

export interface RateLimit {
  requestsPerSecond: number;
  burst?: number;
  /** Send a Retry-After header with each 429. */
  retryAfter?: boolean;
}

/** A token bucket: `take` answers how many seconds to wait when it is empty, else spends a token. */
export class TokenBucket {
  private readonly capacity: number;
  private tokens: number;
  private last = performance.now();

  constructor(private readonly limit: RateLimit) {
    this.capacity = limit.burst ?? limit.requestsPerSecond;
    this.tokens = this.capacity;
  }

  /** Undefined when a token was spent; else the whole seconds until one is back. */
  take(): number | undefined {
    const now = performance.now();
    this.tokens = Math.min(
      this.capacity,
      this.tokens + ((now - this.last) / 1000) * this.limit.requestsPerSecond,
    );
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.limit.requestsPerSecond));
  }

  refill(): void {
    this.tokens = this.capacity;
    this.last = performance.now();
  }
}

export function latencyOf(latency: number | { min: number; max: number } | undefined): number {
  if (latency === undefined) return 0;
  if (typeof latency === 'number') return latency;
  return latency.min + Math.random() * (latency.max - latency.min);
}

/** Timers that all end early when the simulator closes, so no handler outlives it. */
export class Waits {
  private readonly pending = new Set<() => void>();

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (ms <= 0) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.pending.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.pending.add(done);
    });
  }

  endAll(): void {
    for (const done of [...this.pending]) done();
  }
}
