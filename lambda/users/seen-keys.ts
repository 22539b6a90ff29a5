/**
 * Which row of a file first had a key (`email:ann@x.io`, `username:ann`), in 12 bytes a key
 * however long the file. The in-file duplicate check and the plan remember every person of the
 * file; as strings (and the slices of the file they point into) that cost hundreds of bytes a
 * row, over a gigabyte for a million rows. Here a key is kept as a 64-bit hash beside a 32-bit
 * number, in typed arrays (open addressing, linear probing).
 *
 * Two different keys share a hash with a probability of about n² / 2⁶⁵: 3 million keys (a
 * million-row file) give 1 in 4 million. Such a clash would only call a row a duplicate of
 * another; nothing is ever sent on the strength of a match.
 */

/** A key's 64-bit hash, as two 32-bit halves. */
interface KeyHash {
  readonly high: number;
  readonly low: number;
}

/**
 * Two 32-bit multiply-xorshift lanes over the key's UTF-16 code units (bryc's cyrb53, public
 * domain, with both lanes kept whole). Not cryptographic: a file is not an adversary here.
 */
function hashKey(key: string): KeyHash {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < key.length; i++) {
    const unit = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ unit, 2654435761);
    h2 = Math.imul(h2 ^ unit, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return { high: h1 >>> 0, low: h2 >>> 0 };
}

const INITIAL_SLOTS = 1024;

export class SeenKeys {
  /** Two 32-bit halves of each slot's hash. */
  private hashes = new Uint32Array(2 * INITIAL_SLOTS);
  /** Each slot's value plus one: 0 marks an empty slot. */
  private values = new Uint32Array(INITIAL_SLOTS);
  private count = 0;

  /** Keys remembered. */
  get size(): number {
    return this.count;
  }

  /** The value remembered for the key, if any. */
  get(key: string): number | undefined {
    const slot = this.find(hashKey(key));
    const stored = this.values[slot] ?? 0;
    return stored === 0 ? undefined : stored - 1;
  }

  /**
   * Remembers the value for the key unless one is remembered already; returns the one already
   * there, or undefined when this one was stored. Values are whole numbers from 0 to 2³² - 2.
   */
  addIfAbsent(key: string, value: number): number | undefined {
    const hash = hashKey(key);
    let slot = this.find(hash);
    const stored = this.values[slot] ?? 0;
    if (stored !== 0) return stored - 1;
    if ((this.count + 1) * 4 > this.values.length * 3) {
      this.grow();
      slot = this.find(hash);
    }
    this.hashes[2 * slot] = hash.high;
    this.hashes[2 * slot + 1] = hash.low;
    this.values[slot] = value + 1;
    this.count++;
    return undefined;
  }

  /** The slot holding the hash, or the empty slot where it would go. */
  private find(hash: KeyHash): number {
    const mask = this.values.length - 1;
    for (let slot = (hash.high ^ hash.low) & mask; ; slot = (slot + 1) & mask) {
      if (this.values[slot] === 0) return slot;
      if (this.hashes[2 * slot] === hash.high && this.hashes[2 * slot + 1] === hash.low) return slot;
    }
  }

  private grow(): void {
    const { hashes, values } = this;
    this.hashes = new Uint32Array(hashes.length * 2);
    this.values = new Uint32Array(values.length * 2);
    for (let slot = 0; slot < values.length; slot++) {
      const stored = values[slot] ?? 0;
      if (stored === 0) continue;
      const hash = { high: hashes[2 * slot] ?? 0, low: hashes[2 * slot + 1] ?? 0 };
      const to = this.find(hash);
      this.hashes[2 * to] = hash.high;
      this.hashes[2 * to + 1] = hash.low;
      this.values[to] = stored;
    }
  }
}
