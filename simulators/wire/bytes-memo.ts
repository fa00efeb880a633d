/**
 * What was derived from byte strings seen before, found again by their exact bytes (at most
 * `limit` entries, the oldest dropped first). A peer that repeats itself — the same
 * A-ASSOCIATE-RQ on every association, the same C-ECHO-RQ command set — is decoded once.
 * Entries are shared by every caller: what they hold must be frozen (see `deepFreeze`).
 */
export class BytesMemo<T> {
  private last: { raw: Buffer; value: T } | undefined;
  private readonly byBytes = new Map<string, { raw: Buffer; value: T }>();

  constructor(private readonly limit = 256) {}

  /** The value for these exact bytes; the last one found is compared first, byte for byte. */
  find(raw: Buffer): T | undefined {
    const last = this.last;
    if (last && last.raw.length === raw.length && last.raw.equals(raw)) return last.value;
    if (this.byBytes.size === 0) return undefined;
    const hit = this.byBytes.get(raw.toString('latin1'));
    if (hit) this.last = hit;
    return hit?.value;
  }

  /**
   * Remembers the value `make` derives from a private copy of `raw` (so a value that points
   * into its bytes, such as a subarray, never sees the caller's buffer change). Nothing is kept when `make` throws.
   */
  add(raw: Buffer, make: (copy: Buffer) => T): T {
    const copy = Buffer.from(raw);
    const entry = { raw: copy, value: make(copy) };
    if (this.byBytes.size >= this.limit) this.byBytes.delete(this.byBytes.keys().next().value!);
    this.byBytes.set(copy.toString('latin1'), entry);
    this.last = entry;
    return entry.value;
  }

  get size(): number {
    return this.byBytes.size;
  }
}

/** Freezes a decoded value and everything in it but byte arrays (which cannot be frozen). */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || Object.isFrozen(value)) return value;
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}
