/** Base of every error this product raises: a stable machine-readable `code` and a readable message. */
export abstract class HarnessError extends Error {
  abstract readonly code: string;
  override get name(): string {
    return this.constructor.name;
  }
}

export type DecodeErrorCode =
  | 'DECODE_TRUNCATED'
  | 'DECODE_LENGTH_OVERRUN'
  | 'DECODE_LENGTH_MISMATCH'
  | 'DECODE_INVALID_VALUE';

/** A structure could not be decoded: names the structure, the field and the byte offset (0-based, from the start of the structure's buffer). */
export class DecodeError extends HarnessError {
  constructor(
    readonly code: DecodeErrorCode,
    readonly structure: string,
    readonly field: string,
    readonly offset: number,
    detail: string,
  ) {
    super(`${structure}: ${field} at byte offset ${offset}: ${detail}`);
  }
}

export type EncodeErrorCode = 'ENCODE_VALUE_OUT_OF_RANGE' | 'ENCODE_INVALID_VALUE';

export class EncodeError extends HarnessError {
  constructor(
    readonly code: EncodeErrorCode,
    readonly structure: string,
    readonly field: string,
    detail: string,
  ) {
    super(`${structure}: ${field}: ${detail}`);
  }
}

/** An exception thrown by code the simulators call out to (a policy hook, a service handler, a script): reported, never fatal to the process. */
export class InternalError extends HarnessError {
  readonly code = 'INTERNAL_HANDLER_FAILED';
  constructor(readonly original: unknown) {
    super(`handler failed: ${original instanceof Error ? original.message : String(original)}`);
  }
}
