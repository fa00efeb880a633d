import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadScenario } from '../simulators/scenario/load.ts';
import { scpFromScenario } from '../simulators/scenario/scp-runtime.ts';
import type { Scp } from '../simulators/scp/scp.ts';
import { tempDir } from '../simulators/testing/temp-dir.ts';
import { capture } from './capture-output.ts';
import { loadCommand } from './commands/load.ts';
import { mergeCommand } from './commands/merge.ts';
import { ExitCode } from './exit-codes.ts';
import { main } from './main.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const never = new Promise<unknown>(() => {});

describe('qr-harness load against our SCP (the load-mix scenario)', () => {
  let scp: Scp;
  let target: string;
  before(async () => {
    scp = scpFromScenario(loadScenario(path.join(ROOT, 'scenarios/load-mix.yaml')));
    target = `127.0.0.1:${await scp.listen(0, '127.0.0.1')}`;
  });
  after(() => scp.close());
  const args = (...more: string[]) => ['--target-scp', target, '--called-ae', 'QRSCP', '--scenario', path.join(ROOT, 'scenarios/load-mix.yaml'), ...more];

  test('a threshold met exits 0; one broken exits 8 and is named', async () => {
    const ok = capture();
    assert.equal(await loadCommand(args('-c', '3', '-n', '20', '--threshold', 'p95(first_pending)<60s', '--threshold', 'rate(failures)<0.01'), ok, never), ExitCode.Ok, ok.stderr.join('\n'));
    assert.ok(ok.stdout.some((l) => /^ {2}PASS p95\(first_pending\)<60s \(observed [\d.]+ ms\)$/.test(l)), ok.stdout.join('\n'));
    assert.ok(ok.stdout.includes('failures: none'));
    const broken = capture();
    assert.equal(await loadCommand(args('-c', '3', '-n', '20', '--threshold', 'p95(first_pending)<0.001ms'), broken, never), ExitCode.ThresholdBroken);
    assert.ok(broken.stdout.some((l) => l.startsWith('  FAIL p95(first_pending)<0.001ms (observed ')));
    assert.match(broken.stderr.join('\n'), /threshold broken: p95\(first_pending\)<0\.001ms \(observed [\d.]+ ms\)/);
  });

  test('the summary: counts, a latency table, throughput, CPU per C-FIND; --json holds the result and the thresholds', async () => {
    const io = capture();
    const json = path.join(tempDir('load-json'), 'r.json');
    assert.equal(await loadCommand(args('-c', '2', '-n', '13', '--json', json, '--threshold', 'count(timeout)==0'), io, never), ExitCode.Ok);
    const out = io.stdout.join('\n');
    assert.match(out, /closed model, 2 clients, 13 iterations/);
    assert.match(out, /^sessions 13 \(13 ok\), associations 13, C-FIND 15,/m);
    assert.match(out, /^latency \(ms\) +count +p50 +p95 +p99 +max$/m);
    assert.match(out, /^first_pending +15 /m);
    assert.match(out, /^throughput: [\d.]+ C-FIND\/s, [\d.]+ associations\/s, [\d.]+ Pendings\/s; generator CPU [\d,]+ µs per C-FIND/m);
    const r = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(r.format, 'qr-harness-load');
    assert.equal(r.counters.sessions, 13);
    assert.deepEqual(r.thresholds, [{ expression: 'count(timeout)==0', ok: true, observed: 0, unit: '' }]);
  });

  test('a stop mid-run: the summary so far, --json written, exit 130', async () => {
    const io = capture();
    const json = path.join(tempDir('load-stop'), 'r.json');
    let stoppedAt = 0;
    const stop = new Promise<unknown>((resolve) =>
      setTimeout(() => {
        stoppedAt = performance.now();
        resolve('SIGINT');
      }, 700),
    );
    const code = await loadCommand(args('-c', '4', '--duration', '60s', '--json', json), io, stop);
    process.stderr.write(`# load stopped ${(performance.now() - stoppedAt).toFixed(0)} ms after the stop\n`);
    assert.equal(code, ExitCode.Interrupted);
    assert.match(io.stdout.join('\n'), /; [\d.]+ s, stopped$/m);
    assert.equal(JSON.parse(readFileSync(json, 'utf8')).stoppedBy, 'signal');
  });
});

test('every option is checked before connecting: one usage line each, exit 2', async () => {
  const t = '127.0.0.1:9';
  const cases: [string[], RegExp][] = [
    [['--called-ae', 'X', '--duration', '1'], /--target-scp is required/],
    [['--target-scp', 'nohost', '--called-ae', 'X', '--duration', '1'], /--target-scp needs HOST:PORT, got "nohost"/],
    [['--target-scp', t, '--duration', '1'], /--called-ae AE is required/],
    [['--target-scp', t, '--called-ae', 'X'], /give --rate R\/s with --duration D, --iterations K, or --duration D alone/],
    [['--target-scp', t, '--called-ae', 'X', '--rate', '5', '--iterations', '3', '--duration', '1'], /--rate \(open model\) or --iterations \(closed model\), not both/],
    [['--target-scp', t, '--called-ae', 'X', '--rate', '5'], /--rate needs --duration/],
    [['--target-scp', t, '--called-ae', 'X', '--rate', 'fast', '--duration', '1'], /--rate needs arrivals per second/],
    [['--target-scp', t, '--called-ae', 'X', '--duration', '2x'], /--duration needs a duration like 30s, 2m, 500ms or plain seconds, got "2x"/],
    [['--target-scp', t, '--called-ae', 'X', '--duration', '1', '-c', '0'], /--concurrency must be at least 1, got 0/],
    [['--target-scp', t, '--called-ae', 'X', '--duration', '1', '--shard', '3/3'], /--shard 3\/3: the index must be 0 ≤ i < N/],
    [['--target-scp', t, '--called-ae', 'X', '--duration', '1', '--shard', '1of3'], /--shard needs i\/N/],
    [['--target-scp', t, '--called-ae', 'X', '--duration', '1', '--threshold', 'p95(firstpending)<1ms'], /unknown latency metric "firstpending"; known: association, first_pending/],
    [['--target-scp', t, '--called-ae', 'X', '--duration', '1', '--on-stop', 'later'], /--on-stop takes abort or release/],
    [['--target-scp', t, '--called-ae', 'X', '--duration', '1', '--scenario', '/nonexistent.yaml'], /--scenario \/nonexistent.yaml: no such file/],
  ];
  for (const [argv, message] of cases) {
    const io = capture();
    assert.equal(await main(['load', ...argv], io), ExitCode.Usage, argv.join(' '));
    assert.equal(io.stderr.length, 1, io.stderr.join('\n'));
    assert.match(io.stderr[0]!, message);
  }
});

test('a target that refuses every association: exit 3 with one line', async () => {
  const io = capture();
  assert.equal(await loadCommand(['--target-scp', '127.0.0.1:9', '--called-ae', 'X', '-n', '5'], io, never), ExitCode.Connection);
  assert.equal(io.stderr.length, 1);
  assert.match(io.stderr[0]!, /127\.0\.0\.1:9: unreachable: UL_CONNECTION_REFUSED/);
});

test('merge: a folder is taken for a conformance run (and an empty one is named), a load result and a run are not merged together, a file that is neither is named', async () => {
  const dir = tempDir('merge-input');
  const io = capture();
  assert.equal(await mergeCommand([dir, '--report', path.join(dir, 'out')], io), ExitCode.Usage);
  assert.equal(io.stderr.length, 1);
  assert.match(io.stderr[0]!, /messages\.ndjson/);
  await assert.rejects(mergeCommand([dir, path.join(ROOT, 'package.json')], capture()), { message: `${dir} is a conformance run, ${path.join(ROOT, 'package.json')} is not: merge one kind at a time` });
  const io2 = capture();
  assert.equal(await main(['merge', path.join(ROOT, 'package.json')], io2), ExitCode.Usage);
  assert.match(io2.stderr[0]!, /package\.json: not a qr-harness load result/);
});
