import { DataSet } from '../../dataset/data-set.ts';
import type { FindHandler, FindResult } from '../find-service.ts';

/**
 * The find handler of pynetdicom's Query/Retrieve (Find) SCP example, in this product: fails
 * with C000 when the identifier has no Query/Retrieve Level, matches PATIENT-level queries on
 * Patient's Name (any other name value, or '*', '?', '' match all), answers FE00 as soon as it
 * notices a C-CANCEL, and otherwise streams one Pending per instance.
 */
export function seedFindHandler(instances: readonly DataSet[]): FindHandler {
  return function* (request): Iterable<FindResult> {
    const ds = request.identifier;
    if (!ds.has('QueryRetrieveLevel')) {
      yield [0xc000, null, { errorComment: 'Identifier has no Query/Retrieve Level' }];
      return;
    }
    let matching: readonly DataSet[] = [];
    if (ds.text('QueryRetrieveLevel') === 'PATIENT' && ds.has('PatientName')) {
      const name = ds.text('PatientName') ?? '';
      matching = ['*', '', '?'].includes(name) ? instances : instances.filter((i) => i.text('PatientName') === name);
    }
    for (const instance of matching) {
      if (request.isCancelled) {
        yield [0xfe00, null];
        return;
      }
      const identifier = new DataSet();
      identifier.set('PatientName', instance.text('PatientName') ?? '');
      identifier.set('QueryRetrieveLevel', ds.text('QueryRetrieveLevel')!);
      yield [0xff00, identifier];
    }
  };
}
