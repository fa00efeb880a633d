/**
 * Shared by the decoder fuzz tests: how many inputs each property runs, byte mutations of the
 * annotated fixtures, and the check that a decoder fails only with a typed error.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HarnessError } from '../wire/errors.ts';

/**
 * Properties across the fuzz files; FUZZ_RUNS (total inputs, `npm run fuzz`) is shared out
 * evenly among them. Without it, `npm test` runs DEFAULT_RUNS_PER_PROPERTY each.
 */
export const PROPERTY_COUNT = 18;
const DEFAULT_RUNS_PER_PROPERTY = 2_500;

const totalRuns = Number(process.env['FUZZ_RUNS'] ?? 0);
export const runsPerProperty = totalRuns > 0 ? Math.ceil(totalRuns / PROPERTY_COUNT) : DEFAULT_RUNS_PER_PROPERTY;

/** No single input may take longer than this (a decoder loop that stops advancing shows up here, shrunk). */
const PER_INPUT_MS = 2_000;

/** A fixed seed in `npm test` (replayable); FUZZ_SEED replays a reported failure; a fresh one under FUZZ_RUNS. */
const seedFromEnv = process.env['FUZZ_SEED'];
const seed = seedFromEnv !== undefined ? Number(seedFromEnv) : totalRuns > 0 ? undefined : 0x0d1c0;

/** Generous: every input of the whole run together. */
export const testTimeoutMs = Math.max(60_000, runsPerProperty * PROPERTY_COUNT * 2);

/** `share`: the fraction of `runsPerProperty` this property runs (for inputs that are costly to build). */
export function check<T>(arb: fc.Arbitrary<T>, predicate: (input: T) => void, share = 1): void {
  fc.assert(
    fc.property(arb, (input) => {
      const started = performance.now();
      predicate(input);
      const ms = performance.now() - started;
      assert.ok(ms < PER_INPUT_MS, `one input took ${ms.toFixed(0)} ms`);
    }),
    { numRuns: Math.ceil(runsPerProperty * share), ...(seed === undefined ? {} : { seed }) },
  );
}

type ErrorClass = abstract new (...args: never[]) => HarnessError;

/**
 * Runs `fn`; returns its result, or undefined when it threw one of `allowed` (all
 * HarnessError subclasses with a stable code). Any other exception fails the property.
 */
export function decodesOrFailsTyped<T>(fn: () => T, allowed: readonly ErrorClass[]): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (allowed.some((c) => e instanceof c) && typeof (e as HarnessError).code === 'string' && (e as HarnessError).code !== '') return undefined;
    throw new Error(`untyped failure: ${e instanceof Error ? e.stack : String(e)}`);
  }
}

const lengthValue = fc.constantFrom('zero', 'odd', 'huge', 'undefined', 'just-past-end', 'exactly-to-end', 'one') as fc.Arbitrary<
  'zero' | 'odd' | 'huge' | 'undefined' | 'just-past-end' | 'exactly-to-end' | 'one'
>;

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'replace'; at: number; byte: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'length'; at: number; width: 2 | 4; bigEndian: boolean; value: 'zero' | 'odd' | 'huge' | 'undefined' | 'just-past-end' | 'exactly-to-end' | 'one' };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 12 }) }),
  fc.record({
    kind: fc.constant('length' as const),
    at: fc.nat(),
    width: fc.constantFrom(2 as const, 4 as const),
    bigEndian: fc.boolean(),
    value: lengthValue,
  }),
);

function applyMutation(input: Buffer, m: Mutation): Buffer {
  if (input.length === 0) return m.kind === 'insert' ? Buffer.from(m.bytes) : input;
  const at = m.at % input.length;
  switch (m.kind) {
    case 'flip': {
      const b = Buffer.from(input);
      b[at] = b[at]! ^ (1 << m.bit);
      return b;
    }
    case 'replace': {
      const b = Buffer.from(input);
      b[at] = m.byte;
      return b;
    }
    case 'truncate':
      return input.subarray(0, at);
    case 'insert':
      return Buffer.concat([input.subarray(0, at), m.bytes, input.subarray(at)]);
    case 'delete':
      return Buffer.concat([input.subarray(0, at), input.subarray(at + m.count)]);
    case 'length': {
      if (at + m.width > input.length) return input;
      const max = m.width === 2 ? 0xffff : 0xffffffff;
      const toEnd = input.length - (at + m.width);
      const value = {
        zero: 0,
        one: 1,
        odd: (toEnd | 1) & max,
        huge: max - 1,
        undefined: max,
        'just-past-end': Math.min(toEnd + 1, max),
        'exactly-to-end': Math.min(toEnd, max),
      }[m.value];
      const b = Buffer.from(input);
      if (m.width === 2) m.bigEndian ? b.writeUInt16BE(value, at) : b.writeUInt16LE(value, at);
      else m.bigEndian ? b.writeUInt32BE(value, at) : b.writeUInt32LE(value, at);
      return b;
    }
  }
}

/** A fixture with one to four mutations applied in turn. */
export function mutated(seeds: readonly Buffer[]): fc.Arbitrary<Buffer> {
  return fc
    .tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([seedBytes, mutations]) => mutations.reduce(applyMutation, seedBytes));
}

/** Purely random bytes, often short, sometimes a few hundred. */
export const randomBytes: fc.Arbitrary<Buffer> = fc
  .oneof(fc.uint8Array({ maxLength: 32 }), fc.uint8Array({ maxLength: 400 }))
  .map((a) => Buffer.from(a));
