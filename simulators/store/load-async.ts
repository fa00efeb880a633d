import { readFile, stat } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import { loadDicomFolderAsync } from './dicom-folder.ts';
import type { FolderReport } from './dicom-folder.ts';
import { Store, StoreError } from './store.ts';
import type { StoreProblem } from './store.ts';
import { syntheticStoreAsync } from './synthetic.ts';
import type { SyntheticShape } from './synthetic.ts';
import { chunkYamlStore } from './yaml-chunks.ts';
import { loadYamlStore, readStoreNode, yamlSyntaxProblems } from './yaml-store.ts';
import type { LinePositions } from './yaml-store.ts';

/** How far a load has got: the source being read, what the store holds so far, the part of that source read (0 … 1). */
export interface LoadProgress {
  source: string;
  instances: number;
  worklist: number;
  fraction: number;
}

export interface AsyncLoadOptions {
  /** Stops the load between two parts: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
  /** Longest stretch of work between two turns of the event loop (default 50 ms). */
  sliceMs?: number;
}

export interface LoadedStores {
  store: Store;
  folders: { path: string; report: FolderReport }[];
}

/**
 * Loads YAML store files, DICOM folders and a synthetic archive into a new store as
 * `loadStorePaths` does, a part at a time: the event loop (signals, sockets, timers) gets a turn
 * between parts, progress is reported, and an aborted signal stops the load. Problems are the
 * same StoreErrors, naming file:line:column.
 */
export async function loadStorePathsAsync(paths: readonly string[], o: AsyncLoadOptions & { synthetic?: SyntheticShape } = {}): Promise<LoadedStores> {
  const store = new Store();
  const folders: LoadedStores['folders'] = [];
  const pace = pacer(o.signal, o.sliceMs ?? 50);
  const report = (source: string, fraction: number) => {
    const c = store.counts;
    o.onProgress?.({ source, instances: c.instances, worklist: c.worklist, fraction });
  };
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = (await stat(p)).isDirectory();
    } catch {
      throw new StoreError('STORE_UNREADABLE', [{ where: p, message: 'no such file or folder' }]);
    }
    if (isDir) folders.push({ path: p, report: await loadDicomFolderAsync(p, store, { pace, onProgress: (done, total) => report(p, done / total) }) });
    else await loadYamlStoreAsync(p, store, pace, (fraction) => report(p, fraction));
  }
  if (o.synthetic) {
    const s = o.synthetic;
    const total = s.patients * s.studiesPerPatient * s.seriesPerStudy * s.instancesPerSeries;
    const before = store.counts.instances;
    await syntheticStoreAsync(s, store, async () => {
      report('synthetic', total ? (store.counts.instances - before) / total : 1);
      await pace();
    });
    report('synthetic', 1);
  }
  return { store, folders };
}

/**
 * A YAML store a part at a time (see chunkYamlStore). Problems are collected over every part and
 * thrown together, syntax errors alone when there are any (as one parse of the file would).
 * On a problem `store` holds part of the file: load into a store you drop on failure.
 */
async function loadYamlStoreAsync(file: string, store: Store, pace: () => Promise<void>, progress: (fraction: number) => void): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new StoreError('STORE_UNREADABLE', [{ where: file, message: `cannot read: ${(e as Error).message}` }]);
  }
  const chunks = chunkYamlStore(text);
  if (!chunks || chunks.length === 1) {
    loadYamlStore(file, store, text);
    progress(1);
    return;
  }
  const syntax: StoreProblem[] = [];
  const problems: StoreProblem[] = [];
  for (const chunk of chunks) {
    const lines = new LineCounter();
    const doc = parseDocument(chunk.text, { lineCounter: lines, uniqueKeys: true });
    const shift = chunk.firstLine - 1;
    const at: LinePositions = {
      linePos: (offset) => {
        const p = lines.linePos(offset);
        return { line: p.line + shift, col: p.col };
      },
    };
    syntax.push(...yamlSyntaxProblems(doc, file, at));
    if (syntax.length === 0) {
      try {
        readStoreNode(doc.contents as Node | null, file, at, store);
      } catch (e) {
        if (!(e instanceof StoreError)) throw e;
        problems.push(...e.problems);
      }
    }
    progress(chunk.end / text.length);
    await pace();
  }
  if (syntax.length || problems.length) throw new StoreError('STORE_INVALID', syntax.length ? syntax : problems);
}

/** A function to await between two parts of work: it yields to the event loop once `sliceMs` have passed, and throws once `signal` is aborted. */
function pacer(signal: AbortSignal | undefined, sliceMs: number): () => Promise<void> {
  let since = performance.now();
  return async () => {
    signal?.throwIfAborted();
    if (performance.now() - since < sliceMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    since = performance.now();
    signal?.throwIfAborted();
  };
}
