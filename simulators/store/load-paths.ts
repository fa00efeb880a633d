import { statSync } from 'node:fs';
import { loadDicomFolder } from './dicom-folder.ts';
import type { FolderReport } from './dicom-folder.ts';
import { Store, StoreError } from './store.ts';
import { loadYamlStore } from './yaml-store.ts';

/** Loads YAML store files and DICOM folders into one store; reports what each folder skipped. */
export function loadStorePaths(paths: readonly string[]): { store: Store; folders: { path: string; report: FolderReport }[] } {
  const store = new Store();
  const folders: { path: string; report: FolderReport }[] = [];
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      throw new StoreError('STORE_UNREADABLE', [{ where: p, message: 'no such file or folder' }]);
    }
    if (isDir) folders.push({ path: p, report: loadDicomFolder(p, store) });
    else loadYamlStore(p, store);
  }
  return { store, folders };
}
