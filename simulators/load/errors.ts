import { HarnessError } from '../wire/errors.ts';

export type LoadErrorCode =
  | 'LOAD_INVALID_OPTIONS'
  | 'LOAD_INVALID_MIX'
  | 'LOAD_INVALID_RESULT'
  | 'LOAD_MERGE_MISMATCH'
  | 'LOAD_MERGE_SHARD_MISSING'
  | 'LOAD_MERGE_SHARD_DUPLICATE'
  | 'LOAD_THRESHOLD_INVALID';

/** A load run, merge or threshold that cannot go ahead, with what is wrong. */
export class LoadError extends HarnessError {
  constructor(
    readonly code: LoadErrorCode,
    message: string,
  ) {
    super(message);
  }
}
