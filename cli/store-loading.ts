import { statSync } from 'node:fs';
import { loadDicomFolder } from '../simulators/store/dicom-folder.ts';
import type { FolderReport } from '../simulators/store/dicom-folder.ts';
import { Store } from '../simulators/store/store.ts';
import { loadYamlStore } from '../simulators/store/yaml-store.ts';
import { UsageError } from './args.ts';

/** Loads YAML store files and DICOM folders into one store; reports what each folder skipped. */
export function loadStores(paths: readonly string[]): { store: Store; folders: { path: string; report: FolderReport }[] } {
  const store = new Store();
  const folders: { path: string; report: FolderReport }[] = [];
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      throw new UsageError(`${p}: no such file or folder`);
    }
    if (isDir) folders.push({ path: p, report: loadDicomFolder(p, store) });
    else loadYamlStore(p, store);
  }
  return { store, folders };
}
