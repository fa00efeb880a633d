import path from 'node:path';
import { loadStorePaths } from '../simulators/store/load-paths.ts';
import { loadStorePathsAsync } from '../simulators/store/load-async.ts';
import type { LoadedStores, LoadProgress } from '../simulators/store/load-async.ts';
import type { FolderReport } from '../simulators/store/dicom-folder.ts';
import type { Store } from '../simulators/store/store.ts';
import { StoreError } from '../simulators/store/store.ts';
import type { SyntheticShape } from '../simulators/store/synthetic.ts';
import { UsageError } from './args.ts';
import { errorLine } from './output.ts';
import type { Output } from './output.ts';

/** Loads YAML store files and DICOM folders into one store; a path that does not exist is a usage error. */
export function loadStores(paths: readonly string[]): { store: Store; folders: { path: string; report: FolderReport }[] } {
  try {
    return loadStorePaths(paths);
  } catch (e) {
    if (e instanceof StoreError && e.code === 'STORE_UNREADABLE' && e.problems.length === 1 && e.problems[0]!.message === 'no such file or folder') throw new UsageError(`${e.problems[0]!.where}: no such file or folder`);
    throw e;
  }
}

/** Problems printed at most this many, then how many more there are. */
const MAX_PROBLEM_LINES = 20;

/** A store's problems as error lines, one each (file:line:column: what is wrong), at most 20 and a count of the rest. */
export function printStoreProblems(e: StoreError, io: Output): void {
  for (const p of e.problems.slice(0, MAX_PROBLEM_LINES)) io.err(errorLine(`${p.where}: ${p.message}`));
  if (e.problems.length > MAX_PROBLEM_LINES) io.err(errorLine(`… and ${e.problems.length - MAX_PROBLEM_LINES} more problems`));
}

/** A folder serve would answer nothing from: every file skipped. */
export function emptyFolders(folders: LoadedStores['folders']): { path: string; report: FolderReport }[] {
  return folders.filter((f) => f.report.loaded + f.report.worklist === 0);
}

/** Loading stopped by a signal, with how far it got. */
export class LoadInterrupted extends Error {
  constructor(
    readonly instances: number,
    readonly ms: number,
  ) {
    super(`interrupted while loading the store (${instances.toLocaleString('en')} instances in ${(ms / 1000).toFixed(1)} s)`);
  }
}

/**
 * Loads stores a part at a time, showing progress: on a terminal a line redrawn in place
 * (instances loaded, the part of the file read, the rate); otherwise a line after a second, then every 5 seconds.
 * Rejects with LoadInterrupted when the signal is aborted.
 */
export async function loadStoresWithProgress(paths: readonly string[], synthetic: SyntheticShape | undefined, io: Output, o: { signal: AbortSignal; tty: boolean }): Promise<LoadedStores & { ms: number }> {
  const started = performance.now();
  // A terminal redraws its line 5 times a second; a log gets a first line after a second, then one every 5 seconds.
  let next = started + (o.tty ? 200 : 1000);
  let drawn = false;
  const line = (p: LoadProgress, now: number) => {
    const s = (now - started) / 1000;
    return `loading ${p.source === 'synthetic' ? 'the synthetic archive' : path.basename(p.source)}: ${p.instances.toLocaleString('en')} instances${p.worklist ? `, ${p.worklist} worklist items` : ''} (${Math.floor(p.fraction * 100)}%), ${Math.round(p.instances / s).toLocaleString('en')}/s`;
  };
  let instances = 0;
  const onProgress = (p: LoadProgress) => {
    instances = p.instances;
    const now = performance.now();
    if (now < next) return;
    next = now + (o.tty ? 200 : 5000);
    if (o.tty) {
      process.stderr.write(`\r\x1b[K${line(p, now)}`);
      drawn = true;
    } else {
      io.err(line(p, now));
    }
  };
  try {
    const loaded = await loadStorePathsAsync(paths, { signal: o.signal, onProgress, ...(synthetic && { synthetic }) });
    return { ...loaded, ms: performance.now() - started };
  } catch (e) {
    if (o.signal.aborted) throw new LoadInterrupted(instances, performance.now() - started);
    throw e;
  } finally {
    if (drawn) process.stderr.write('\r\x1b[K');
  }
}
