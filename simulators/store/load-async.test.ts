import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../testing/temp-dir.ts';
import { loadStorePathsAsync } from './load-async.ts';
import type { LoadProgress } from './load-async.ts';
import { loadStorePaths } from './load-paths.ts';
import { StoreError } from './store.ts';
import type { Store } from './store.ts';
import { syntheticYaml } from './synthetic.ts';
import { chunkYamlStore } from './yaml-chunks.ts';

/** About 1.3 MB: 20 parts of 64 KB. */
const big = syntheticYaml({ patients: 40, studiesPerPatient: 2, seriesPerStudy: 2, instancesPerSeries: 40, seed: 5 });

function write(name: string, text: string): string {
  const file = path.join(tempDir('load-async'), name);
  writeFileSync(file, text);
  return file;
}

function problems(load: () => unknown): string[] {
  try {
    load();
  } catch (e) {
    assert.ok(e instanceof StoreError, String(e));
    return e.problems.map((p) => `${p.where}: ${p.message}`);
  }
  throw new Error('the store loaded');
}

async function asyncProblems(paths: string[]): Promise<string[]> {
  try {
    await loadStorePathsAsync(paths);
  } catch (e) {
    assert.ok(e instanceof StoreError, String(e));
    return e.problems.map((p) => `${p.where}: ${p.message}`);
  }
  throw new Error('the store loaded');
}

const origins = (s: Store) => [...s.instances()].map((e) => `${e.values.SOPInstanceUID} ${e.origin}`);

test('a large store is cut between list items, each part starting at the line it has in the file', () => {
  const chunks = chunkYamlStore(big)!;
  assert.ok(chunks.length > 10, `${chunks.length} parts`);
  const lines = big.split('\n');
  for (const c of chunks.slice(1)) {
    assert.match(c.text, /^patients:\n {2}- PatientID: /);
    assert.equal(lines[c.firstLine], c.text.split('\n')[1], 'the line after the copied key is the item line of the file');
  }
  assert.equal(chunks.at(-1)!.end, big.length);
});

test('layouts a part-wise parse could misread are not cut: anchors, several documents, repeated or flow top-level keys', () => {
  const item = '  - PatientID: P1\n';
  assert.equal(chunkYamlStore(`patients:\n  - &p PatientID: P1\n  - *p\n`, 10), undefined);
  assert.equal(chunkYamlStore(`---\npatients:\n${item}${item}`, 10), undefined);
  assert.equal(chunkYamlStore(`patients:\n${item}patients:\n${item}`, 10), undefined);
  assert.equal(chunkYamlStore(`{ patients: [] }\n`, 10), undefined);
  assert.equal(chunkYamlStore('', 10), undefined);
  assert.equal(chunkYamlStore(`patients:\n${item}${item}${item}`, 10)!.length, 3);
  assert.equal(chunkYamlStore(`patients:\n- PatientID: P1\n- PatientID: P2\nworklist: []\n`, 10)!.length, 3, 'a list at the key\'s own indentation');
});

test('loaded part by part, a large store is the same store as loaded at once, with the same origins', async () => {
  const file = write('big.yaml', big);
  const seen: LoadProgress[] = [];
  const parts = await loadStorePathsAsync([file], { onProgress: (p) => seen.push(p), sliceMs: 0 });
  const whole = loadStorePaths([file]);
  assert.deepEqual(parts.store.counts, whole.store.counts);
  assert.deepEqual(origins(parts.store), origins(whole.store));
  assert.ok(seen.length > 10);
  assert.deepEqual(seen.at(-1), { source: file, instances: 6400, worklist: 0, fraction: 1 });
  assert.ok(seen.every((p, i) => i === 0 || p.instances >= seen[i - 1]!.instances));
});

test('problems deep in a large store are reported as one parse reports them: syntax, wrong values, duplicates across parts', async () => {
  const lines = big.split('\n');
  const at = (n: number, text: string) => [...lines.slice(0, n), text, ...lines.slice(n)].join('\n');
  const uid = /SOPInstanceUID: (\S+)/.exec(big)![1]!;
  const deep = lines.findIndex((l, i) => i > lines.length / 2 && l.startsWith('                SOPClassUID:'));
  const cases = [
    at(deep, '                InstanceNumber: [1'),
    at(deep, '                ContentDate: not-a-date'),
    at(deep + 1, `              - SOPInstanceUID: ${uid}\n                SOPClassUID: 1.2.840.10008.5.1.4.1.1.2`),
    at(deep, '                PatientNmae: X'),
  ];
  for (const text of cases) {
    const file = write('bad.yaml', text);
    const expected = problems(() => loadStorePaths([file]));
    assert.deepEqual(await asyncProblems([file]), expected);
    assert.ok(expected.every((p) => !/ at line \d+, column \d+/.test(p)), expected.join('\n'));
  }
});

test('small, empty and missing files, and DICOM folders with nothing to load', async () => {
  const empty = write('empty.yaml', '# nothing here\n');
  assert.deepEqual(await asyncProblems([empty]), [`${empty}: the file is empty: a store is a mapping with "patients" and/or "worklist"`]);
  assert.deepEqual(await asyncProblems([path.join(path.dirname(empty), 'none.yaml')]), [`${path.join(path.dirname(empty), 'none.yaml')}: no such file or folder`]);
  const dir = path.join(tempDir('load-async'), 'dicom');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'notes.txt'), 'not DICOM');
  const { folders } = await loadStorePathsAsync([dir]);
  assert.deepEqual(folders[0]!.report.skipped.map((s) => path.basename(s.file)), ['notes.txt']);
});

test('an aborted signal stops the load between two parts with its reason', async () => {
  const file = write('big.yaml', big);
  const abort = new AbortController();
  const loading = loadStorePathsAsync([file], { signal: abort.signal, sliceMs: 0, onProgress: (p) => p.instances > 1000 && abort.abort(new Error('stop')) });
  await assert.rejects(loading, /stop/);
  const synthetic = loadStorePathsAsync([], { signal: AbortSignal.abort(new Error('before')), synthetic: { patients: 10, studiesPerPatient: 1, seriesPerStudy: 1, instancesPerSeries: 1 } });
  await assert.rejects(synthetic, /before/);
});
