/**
 * `serve` and `proxy` as a user runs them, stopped by SIGTERM or SIGINT with 0, 1 and 20 idle
 * associations open, and with a 100,000-match stream in progress: the exit code, the summary line,
 * what each peer saw, the record (and capture) whole, and the process gone. The time from the
 * signal to the exit is printed as a diagnostic (bench/ holds speed targets).
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Scp } from '../simulators/scp/scp.ts';
import { DimseClient } from '../simulators/scu/dimse-client.ts';
import type { AssociationEnd } from '../simulators/ul/association/association.ts';
import { patientsHandler } from '../simulators/testing/find-exchange.ts';
import { tempDir } from '../simulators/testing/temp-dir.ts';
import { plain } from './capture-output.ts';

const root = path.join(import.meta.dirname, '..');
const PATIENT_ROOT = '1.2.840.10008.5.1.4.1.2.1.1';

const until = async (ok: () => boolean, what: string, ms = 20_000) => {
  for (const end = Date.now() + ms; !ok(); await new Promise((r) => setTimeout(r, 5))) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
};

/** `node bin/qr-harness.mjs VERB …` until it exits. */
function cli(argv: string[]) {
  const child = spawn(process.execPath, [path.join(root, 'bin/qr-harness.mjs'), ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: [] as string[], stderr: [] as string[] };
  child.stdout.on('data', (b: Buffer) => out.stdout.push(...plain(b.toString()).split('\n').filter(Boolean)));
  child.stderr.on('data', (b: Buffer) => out.stderr.push(...plain(b.toString()).split('\n').filter(Boolean)));
  const exited = new Promise<{ code: number | null; at: number }>((r) => child.once('exit', (code) => r({ code, at: performance.now() })));
  return { child, ...out, exited };
}

const connect = (port: number) =>
  DimseClient.connect({ host: '127.0.0.1', port, calledAeTitle: 'QRSCP', callingAeTitle: 'FINDSCU', presentationContexts: [{ abstractSyntax: PATIENT_ROOT, transferSyntaxes: ['1.2.840.10008.1.2.1'] }] });

/** `idle` associations doing nothing, and with `busy` one reading a long C-FIND stream (at least 100 Pendings read before it returns). */
async function peers(port: number, idle: number, busy: boolean, identifier: Record<string, string>) {
  const clients = await Promise.all(Array.from({ length: idle + (busy ? 1 : 0) }, () => connect(port)));
  const ends = clients.map((c) => c.association.ended);
  let pendings = 0;
  if (busy) {
    const op = clients.at(-1)!.find(PATIENT_ROOT, identifier);
    void (async () => {
      for await (const r of op) if (!r.final) pendings++;
    })().catch(() => {});
    await until(() => pendings >= 100, '100 Pendings');
  }
  return { ends, clients };
}

/** The process is gone: signal 0 finds no such process. */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Every line a whole JSON value, the file ending with a newline. */
function jsonLines(file: string): Record<string, unknown>[] {
  const text = readFileSync(file, 'utf8');
  assert.ok(text === '' || text.endsWith('\n'), `${file} ends inside a line`);
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Walks a pcapng file block by block (PS: each block's length at 4 and repeated at its end) to its last byte. */
function pcapngBlocks(file: string): number[] {
  const b = readFileSync(file);
  const types: number[] = [];
  for (let at = 0; at < b.length; ) {
    assert.ok(at + 12 <= b.length, `a block cut at ${at} of ${b.length}`);
    const length = b.readUInt32LE(at + 4);
    assert.ok(length >= 12 && at + length <= b.length && b.readUInt32LE(at + length - 4) === length, `block at ${at}: length ${length} of ${b.length}`);
    types.push(b.readUInt32LE(at));
    at += length;
  }
  return types;
}

interface Case {
  signal: 'SIGTERM' | 'SIGINT';
  idle: number;
  busy: boolean;
  onStop?: 'release';
}

const CASES: Case[] = [
  { signal: 'SIGTERM', idle: 0, busy: false },
  { signal: 'SIGINT', idle: 1, busy: false },
  { signal: 'SIGTERM', idle: 20, busy: true },
  { signal: 'SIGINT', idle: 20, busy: true, onStop: 'release' },
];
const name = (c: Case) => `${c.signal}, ${c.idle} idle association(s)${c.busy ? ' and a 100,000-match stream' : ''}${c.onStop ? ', --on-stop release' : ''}`;
const code = (signal: Case['signal']) => (signal === 'SIGTERM' ? 143 : 130);

async function stopAndMeasure(t: TestContext, p: ReturnType<typeof cli>, signal: Case['signal']) {
  const sent = performance.now();
  p.child.kill(signal);
  const { code: exit, at } = await p.exited;
  t.diagnostic(`stopped in ${(at - sent).toFixed(0)} ms (signal → exit)`);
  assert.ok(gone(p.child.pid!), 'the process is gone');
  return exit;
}

for (const c of CASES) {
  test(`serve stops on ${name(c)}`, async (t) => {
    const record = path.join(tempDir('stop'), 'serve.jsonl');
    const p = cli(['serve', '--port', '0', '--synthetic', '100000', '--record', record, ...(c.onStop ? ['--on-stop', c.onStop] : [])]);
    try {
      await until(() => p.stdout.some((l) => l.includes('listening')), 'listening');
      const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(p.stdout.join('\n'))![1]);
      const { ends } = await peers(port, c.idle, c.busy, { QueryRetrieveLevel: 'IMAGE', PatientID: 'SYNTH', SOPInstanceUID: '' });
      assert.equal(await stopAndMeasure(t, p, c.signal), code(c.signal));
      const seen: AssociationEnd[] = await Promise.all(ends);
      const n = c.idle + (c.busy ? 1 : 0);
      const s = (x: number) => `${x} open association${x === 1 ? '' : 's'}`;
      const summary = !n ? '' : c.onStop ? `: ${s(c.idle)} released${c.busy ? ', 1 aborted' : ''}` : `: ${s(n)} aborted`;
      assert.equal(p.stdout.at(-1), `stopped (${c.signal})${summary}; record in ${record}`);
      // Idle associations are released by the SCP (PS3.8 7.2), a stream that cannot end within the grace is aborted.
      const released = seen.filter((e) => e.how === 'released' && e.by === 'peer').length;
      const aborted = seen.filter((e) => e.how === 'aborted' && e.by === 'peer' && e.source === 0).length;
      assert.deepEqual([released, aborted], c.onStop ? [c.idle, c.busy ? 1 : 0] : [0, n]);
      const lines = jsonLines(record);
      if (c.busy) assert.ok(lines.filter((l) => l.name === 'C-FIND-RSP').length >= 100, `${lines.length} lines`);
      assert.deepEqual(p.stderr, []);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  });
}

for (const c of CASES) {
  test(`proxy stops on ${name(c)}`, async (t) => {
    const scp = new Scp({ aeTitle: 'QRSCP', find: { handler: patientsHandler(100_000) } });
    const scpPort = await scp.listen(0, '127.0.0.1');
    const dir = tempDir('stop');
    const [record, pcap, scenario] = ['proxy.jsonl', 'proxy.pcapng', 'proxy.yaml'].map((f) => path.join(dir, f)) as [string, string, string];
    const p = cli(['proxy', '--listen', '0', '--forward', `127.0.0.1:${scpPort}`, '--record', record, '--pcap', pcap, '--to-scenario', scenario, '-q', ...(c.onStop ? ['--on-stop', c.onStop] : [])]);
    try {
      await until(() => p.stdout.some((l) => /^proxy 127\.0\.0\.1:\d+ →/.test(l)), 'listening');
      const port = Number(/^proxy 127\.0\.0\.1:(\d+) →/.exec(p.stdout.join('\n'))![1]);
      const { ends } = await peers(port, c.idle, c.busy, { QueryRetrieveLevel: 'PATIENT', PatientName: '', PatientID: '' });
      assert.equal(await stopAndMeasure(t, p, c.signal), code(c.signal));
      const seen: AssociationEnd[] = await Promise.all(ends);
      const n = c.idle + (c.busy ? 1 : 0);
      // PS3.8 9.3.8: the proxy, a service-provider between the two, aborts with source 2.
      assert.deepEqual(
        seen.map((e) => (e.how === 'aborted' ? `${e.by} ${e.source}` : e.how)),
        Array.from({ length: n }, () => 'peer 2'),
      );
      const lines = p.stdout;
      assert.match(lines.at(-2)!, new RegExp(`^stopped \\(${c.signal}\\): ${n} connections?; PDUs \\d+ client → archive, \\d+ archive → client; fails: client 0, archive 0; findings: client 0, archive 0; record in .*proxy\\.jsonl; capture in .*proxy\\.pcapng$`));
      assert.match(lines.at(-1)!, /^scenario: \d+ C-FIND\(s\) written to .*proxy\.yaml; replay with qr-harness serve --scenario /);
      const rec = jsonLines(record);
      const stop = rec.at(-2)!;
      assert.deepEqual({ ...stop, aborted: (stop.aborted as string[]).length }, { event: 'stop', signal: c.signal, onStop: c.onStop ?? 'abort', aborted: n });
      assert.deepEqual(rec.at(-1)!.event, 'summary');
      assert.equal(rec.filter((r) => r.event === 'close').length, n);
      const blocks = pcapngBlocks(pcap);
      assert.equal(blocks[0], 0x0a0d0d0a, 'a Section Header Block first');
      assert.ok(readFileSync(scenario, 'utf8').length > 0);
      assert.deepEqual(p.stderr, []);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
      await scp.close();
    }
  });
}

test('serve --scenario --on-stop release: an idle association is released by the SCP, the summary says so, exit 143', async (t) => {
  const p = cli(['serve', '--scenario', path.join(root, 'scenarios/well-behaved.yaml'), '--port', '0', '--on-stop', 'release']);
  try {
    await until(() => p.stdout.some((l) => l.includes('listening')), 'listening');
    const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(p.stdout.join('\n'))![1]);
    const { ends } = await peers(port, 1, false, {});
    assert.equal(await stopAndMeasure(t, p, 'SIGTERM'), 143);
    assert.deepEqual(await ends[0], { how: 'released', by: 'peer' });
    assert.equal(p.stdout.at(-1), 'stopped (SIGTERM): 1 association(s) (1 open, released), 0 C-FIND, 0 C-CANCEL');
  } finally {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
  }
});
