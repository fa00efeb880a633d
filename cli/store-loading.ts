import { loadStorePaths } from '../simulators/store/load-paths.ts';
import type { FolderReport } from '../simulators/store/dicom-folder.ts';
import type { Store } from '../simulators/store/store.ts';
import { StoreError } from '../simulators/store/store.ts';
import { UsageError } from './args.ts';

/** Loads YAML store files and DICOM folders into one store; a path that does not exist is a usage error. */
export function loadStores(paths: readonly string[]): { store: Store; folders: { path: string; report: FolderReport }[] } {
  try {
    return loadStorePaths(paths);
  } catch (e) {
    if (e instanceof StoreError && e.code === 'STORE_UNREADABLE' && e.problems.length === 1 && e.problems[0]!.message === 'no such file or folder') throw new UsageError(`${e.problems[0]!.where}: no such file or folder`);
    throw e;
  }
}
