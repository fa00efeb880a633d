import { HarnessError } from '../wire/errors.ts';
import { formatTag } from './dictionary.ts';

export type DataSetErrorCode =
  | 'DATASET_TRUNCATED'
  | 'DATASET_LENGTH_PAST_END'
  | 'DATASET_BAD_VR'
  | 'DATASET_BAD_ITEM'
  | 'DATASET_TOO_DEEP'
  | 'DATASET_BAD_VALUE'
  | 'DATASET_UNKNOWN_KEYWORD';

/** A data set could not be decoded or built: names the element (tag) and, when decoding, the byte offset. */
export class DataSetError extends HarnessError {
  constructor(
    readonly code: DataSetErrorCode,
    readonly tag: number | undefined,
    readonly offset: number | undefined,
    detail: string,
  ) {
    super(`${tag === undefined ? 'data set' : formatTag(tag)}${offset === undefined ? '' : ` at offset ${offset}`}: ${detail}`);
  }
}
