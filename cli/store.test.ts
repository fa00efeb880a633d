import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../simulators/testing/temp-dir.ts';
import { ExitCode } from './exit-codes.ts';
import { main } from './main.ts';
import { capture } from './capture-output.ts';



async function run(...argv: string[]) {
  const io = capture();
  const code = await main(argv, io);
  return { code, ...io };
}

test('store generate into a folder that does not exist creates it', async () => {
  const out = path.join(tempDir('store'), 'new', 'deeper', 'big.yaml');
  const r = await run('store', 'generate', '--patients', '2', '--studies', '1', '--series', '1', '--instances', '3', '--out', out);
  assert.equal(r.code, ExitCode.Ok, r.stderr.join('\n'));
  assert.deepEqual(r.stdout, [`wrote ${out}: 6 instances`]);
  assert.match(readFileSync(out, 'utf8'), /^# Synthetic store: 2 patients/);
  const check = await run('store', 'check', out);
  assert.match(check.stdout[0]!, /^ok .*: 2 patients, 2 studies, 2 series, 6 instances, 0 worklist items$/);
});

test('store generate to a place that cannot be written: one line, exit 2', async () => {
  const file = path.join(tempDir('store'), 'file');
  writeFileSync(file, '');
  const r = await run('store', 'generate', '--out', path.join(file, 'x.yaml'));
  assert.equal(r.code, ExitCode.Usage);
  assert.deepEqual(r.stderr, [`error: cannot write ${path.join(file, 'x.yaml')}: a part of the path is a file, not a folder`]);
});

test('store check: one clear line per problem — syntax, missing file, wrong type, empty file, nothing loadable', async () => {
  const dir = tempDir('store');
  const write = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const syntax = write('syntax.yaml', 'patients:\n  - PatientID: "1"\n    PatientName: [a\n');
  let r = await run('store', 'check', syntax);
  assert.equal(r.code, ExitCode.FailureStatus);
  assert.deepEqual(r.stderr, [`error: ${syntax}:4:1: Flow sequence in block collection must be sufficiently indented and end with a ]`]);

  r = await run('store', 'check', path.join(dir, 'none.yaml'));
  assert.equal(r.code, ExitCode.Usage);
  assert.deepEqual(r.stderr, [`error: ${path.join(dir, 'none.yaml')}: no such file or folder`]);

  const wrong = write('wrong.yaml', 'patients:\n  - PatientID: "1"\n    PatientBirthDate: soon\n    studies: 3\n');
  r = await run('store', 'check', wrong);
  assert.equal(r.code, ExitCode.FailureStatus);
  assert.deepEqual(r.stderr, [`error: ${wrong}:3:23: PatientBirthDate (DA): "soon" is not a date (YYYYMMDD)`, `error: ${wrong}:4:14: "studies" is a list`]);

  const empty = write('empty.yaml', '');
  r = await run('store', 'check', empty);
  assert.equal(r.code, ExitCode.FailureStatus);
  assert.deepEqual(r.stderr, [`error: ${empty}: the file is empty: a store is a mapping with "patients" and/or "worklist"`]);

  const folder = path.join(dir, 'dicom');
  mkdirSync(folder);
  writeFileSync(path.join(folder, 'notes.txt'), 'not DICOM');
  r = await run('store', 'check', folder);
  assert.equal(r.code, ExitCode.FailureStatus);
  assert.deepEqual(r.stderr, [`error: ${folder}: no DICOM instance or worklist file could be loaded from this folder`]);
});

test('a store with many problems lists the first 20 and counts the rest', async () => {
  const patients = Array.from({ length: 25 }, (_, i) => `  - PatientID: P${i}\n    PatientBirthDate: soon\n`).join('');
  const file = path.join(tempDir('store'), 'many.yaml');
  writeFileSync(file, `patients:\n${patients}`);
  const r = await run('store', 'check', file);
  assert.equal(r.code, ExitCode.FailureStatus);
  assert.equal(r.stderr.length, 21);
  assert.equal(r.stderr.at(-1), 'error: … and 5 more problems');
});
