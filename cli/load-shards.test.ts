/**
 * Shards run apart reproduce one run: K iterations in one process, then the same K as 3 shards in
 * 3 processes (qr-harness load --shard i/3 --json), merged.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadScenario } from '../simulators/scenario/load.ts';
import { scpFromScenario } from '../simulators/scenario/scp-runtime.ts';
import type { Scp } from '../simulators/scp/scp.ts';
import { tempDir } from '../simulators/testing/temp-dir.ts';
import { asLoadResult } from '../simulators/load/merge.ts';
import { capture } from './capture-output.ts';
import { loadCommand } from './commands/load.ts';
import { mergeCommand } from './commands/merge.ts';
import { ExitCode } from './exit-codes.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const MIX = path.join(ROOT, 'scenarios/load-mix.yaml');
const K = 45;

let scp: Scp;
let target: string;
before(async () => {
  scp = scpFromScenario(loadScenario(MIX));
  target = `127.0.0.1:${await scp.listen(0, '127.0.0.1')}`;
});
after(() => scp.close());

function cli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/qr-harness.mjs'), ...args], { env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

test('3 shards in 3 processes, merged, count exactly what one run counts', async () => {
  const dir = tempDir('load-shards');
  const common = ['--target-scp', target, '--called-ae', 'QRSCP', '--scenario', MIX, '-c', '2', '-n', String(K), '--store', path.join(ROOT, 'scenarios/stores/conformance.yaml')];
  const whole = path.join(dir, 'whole.json');
  assert.equal(await loadCommand([...common, '--json', whole], capture(), new Promise(() => {})), ExitCode.Ok);
  const shards = await Promise.all([0, 1, 2].map((i) => cli(['load', ...common, '--shard', `${i}/3`, '--json', path.join(dir, `shard-${i}.json`)])));
  for (const s of shards) assert.equal(s.code, 0, s.stderr);
  const merged = path.join(dir, 'merged.json');
  const io = capture();
  assert.equal(await mergeCommand([0, 1, 2].map((i) => path.join(dir, `shard-${i}.json`)).concat('--json', merged), io), ExitCode.Ok, io.stderr.join('\n'));
  const read = (f: string) => asLoadResult(JSON.parse(readFileSync(f, 'utf8')), f);
  const one = read(whole);
  const m = read(merged);
  const parts = [0, 1, 2].map((i) => read(path.join(dir, `shard-${i}.json`)));
  assert.deepEqual(parts.map((p) => p.counters.sessions), [15, 15, 15]);
  // Pendings after a C-CANCEL or before our A-ABORT depend on timing; every other count is the schedule's.
  const { pendings: _a, ...oneCounts } = one.counters;
  const { pendings: _b, ...mergedCounts } = m.counters;
  assert.deepEqual(mergedCounts, oneCounts);
  assert.equal(m.counters.pendings, parts.reduce((a, p) => a + p.counters.pendings, 0));
  for (const metric of ['association', 'first_pending', 'final', 'cancel_to_fe00', 'echo', 'release'] as const) {
    assert.equal(m.latency[metric].count, parts.reduce((a, p) => a + p.latency[metric].count, 0), metric);
    assert.equal(m.latency[metric].count, one.latency[metric].count, metric);
  }
  assert.equal(m.failures.wrong_answer.count, 0);
  assert.deepEqual(m.shards, [0, 1, 2]);
});
