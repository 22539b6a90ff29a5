import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeenKeys } from '../../lambda/users/seen-keys';

describe('SeenKeys', () => {
  it('remembers the first value for each key, as a Map would, through many keys', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.nat({ max: 2 ** 32 - 2 })), {
          maxLength: 3_000,
        }),
        (entries) => {
          // Prepare
          const seen = new SeenKeys();
          const reference = new Map<string, number>();

          // Act and assess: each add answers what was there, each key reads back its first value
          for (const [key, value] of entries) {
            expect(seen.addIfAbsent(key, value)).toBe(reference.get(key));
            if (!reference.has(key)) reference.set(key, value);
          }
          expect(seen.size).toBe(reference.size);
          for (const [key, value] of reference) expect(seen.get(key)).toBe(value);
          expect(seen.get('x'.repeat(41))).toBeUndefined(); // longer than any key drawn
        },
      ),
      { numRuns: 50 },
    );
  });

  it('tells apart 300,000 keys that differ in one character', () => {
    const seen = new SeenKeys();
    for (let i = 0; i < 300_000; i++)
      expect(seen.addIfAbsent(`email:user${i}@example.com`, i)).toBeUndefined();

    expect(seen.size).toBe(300_000);
    expect(seen.get('email:user123456@example.com')).toBe(123_456);
    expect(seen.get('email:user300000@example.com')).toBeUndefined();
  });
});
