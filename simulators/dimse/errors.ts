import { HarnessError } from '../wire/errors.ts';

export type DimseErrorCode = 'DIMSE_TIMEOUT' | 'DIMSE_NO_CONTEXT' | 'DIMSE_ASSOCIATION_ENDED' | 'DIMSE_UNEXPECTED_RESPONSE' | 'DIMSE_INVALID_COMMAND';

/** A DIMSE operation could not complete. */
export class DimseError extends HarnessError {
  constructor(
    readonly code: DimseErrorCode,
    message: string,
  ) {
    super(message);
  }
}
