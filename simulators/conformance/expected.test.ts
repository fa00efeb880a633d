import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../testing/temp-dir.ts';
import { compareWithExpected, readExpected, writeExpected } from './expected.ts';
import { conclude } from './verdict.ts';
import type { Observation, Verdict } from './verdict.ts';

const obs = (code: string): Observation => ({ code, rule: 'PS3.4 X', text: code });
const v = (id: string, fails: string[] = [], choices: string[] = []): Verdict => conclude({ id, title: id, rules: [], checklist: [] }, fails.map(obs), choices.map(obs));

test('a run agrees with its expected file only when every verdict and every fail or finding code is the same', () => {
  const dir = tempDir('expected');
  const file = path.join(dir, 'peer.yaml');
  const run = [v('A'), v('B', ['zero-length-required-key']), v('C', [], ['pn-case-insensitive'])];
  writeExpected(file, 'a peer', run);
  assert.deepEqual(compareWithExpected(run, readExpected(file)), []);
  const changed = [v('A', ['level-changed']), v('B'), v('C', [], ['pn-case-sensitive']), v('D')];
  assert.deepEqual(
    compareWithExpected(changed, readExpected(file)).map((l) => l.split(' — ')[0]),
    ['A: fail, expected pass', 'B: pass, expected fail', 'C: finding for [pn-case-sensitive], expected [pn-case-insensitive]', 'D: pass (as the standard requires)'],
  );
  assert.deepEqual(compareWithExpected([v('A')], readExpected(file)).filter((l) => l.endsWith('not run')), ['B: expected fail, not run', 'C: expected finding, not run']);
});

test('rewriting keeps the why of unchanged entries and drops it where the verdict changed; a bad file is a clear error', () => {
  const dir = tempDir('expected');
  const file = path.join(dir, 'peer.yaml');
  writeExpected(file, 'a peer', [v('B', ['zero-length-required-key']), v('C', ['x'])]);
  writeFileSync(file, readFileSync(file, 'utf8').replace(/(codes:\n\s+- zero-length-required-key)/, '$1\n    why: the archive never matches an empty required key').replace(/(codes:\n\s+- x)/, '$1\n    why: old reason'));
  writeExpected(file, 'a peer', [v('B', ['zero-length-required-key']), v('C', ['y'])]);
  const e = readExpected(file);
  assert.equal(e.checks.B!.why, 'the archive never matches an empty required key');
  assert.equal(e.checks.C!.why, undefined);
  writeFileSync(file, 'checks:\n  A: maybe\n');
  assert.throws(() => readExpected(file), /A: "maybe" is not a verdict/);
});
