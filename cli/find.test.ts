import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from './main.ts';
import type { Output } from './output.ts';
import { capture } from './capture-output.ts';
import { findCommand } from './commands/find.ts';
import { serveCommand } from './commands/serve.ts';
import { ExitCode } from './exit-codes.ts';
import { identifierFromKeys } from './keys.ts';
import { identifierJson } from './find-json.ts';
import { DataSet } from '../simulators/dataset/data-set.ts';
import { tempDir } from '../simulators/testing/temp-dir.ts';

const root = path.join(import.meta.dirname, '..');


const until = async (ok: () => boolean, ms = 5000) => {
  for (const end = Date.now() + ms; !ok(); ) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** `serve` in this process on a free port (argv after `serve`), printing what peers send, until `stop()`. */
async function serve(argv: string[]) {
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  const io = capture();
  const serving = serveCommand([...argv, '--port', '0'], io, stopped);
  await until(() => io.stdout.some((l) => l.includes('listening')));
  const port = /listening on 127\.0\.0\.1:(\d+)/.exec(io.stdout.join('\n'))![1]!;
  return {
    port,
    io,
    /** Stops the SCP; resolves with its last line ("stopped: … C-CANCEL"). */
    close: async () => (stop(), await serving, io.stdout.at(-1)!),
  };
}

/** A scripted archive streaming 400 patients 15 ms apart; deaf to C-CANCEL when asked. */
function streamScenario(ignoreCancel: boolean): string {
  const file = path.join(tempDir('find'), 'stream.yaml');
  writeFileSync(
    file,
    `name: stream\nstore:\n  synthetic: { patients: 400, studies: 1, series: 1, instances: 1, seed: 3 }\nscp:\n  aeTitle: QRSCP\n  behaviours:\n    - respond:\n${ignoreCancel ? '        - cancel: ignore\n' : ''}        - pending: matches\n          delayMs: 15\n        - final: "0000"\n`,
  );
  return file;
}

const streamQuery = (port: string) => ['find', '--port', port, '--called-ae', 'QRSCP', '--model', 'patient', '--level', 'PATIENT', '-k', 'PatientID'];

test('malformed -k values are one usage line each, exit 2 (never 70), and a JSON error line with --json', async () => {
  const cases: [string, RegExp][] = [
    ['=', /^error: find: -k "=": no keyword or tag before "=" \(see qr-harness find --help\)$/],
    ['=X', /^error: find: -k "=X": no keyword or tag before "="/],
    ['', /^error: find: -k "": empty key/],
    ['(0010', /^error: find: -k "\(0010": "\(0010" is not a keyword of the data dictionary or a \(gggg,eeee\) tag/],
    ['(0010,0010', /is not a keyword/],
    ['NoSuchKeyword=1', /^error: find: -k "NoSuchKeyword=1": "NoSuchKeyword" is not a keyword/],
    ['.PatientName', /^error: find: -k "\.PatientName": a "\." with no keyword/],
    ['PatientName[0]=x', /PatientName is not a sequence; \[0\] selects an item of a sequence/],
    ['Rows=abc', /Rows \(US\) takes whole numbers from 0 to 65535, got "abc"/],
    ['Rows=70000', /got "70000"/],
    ['PixelData=x', /PixelData \(OW\) holds bytes/],
    ['PatientName=日本', /"日本" is not in the default repertoire/],
  ];
  for (const [key, expected] of cases) {
    const io = capture();
    assert.equal(await main(['find', '--port', '1', '-k', key], io), ExitCode.Usage, key);
    assert.equal(io.stderr.length, 1, `${key}: ${io.stderr.join(' | ')}`);
    assert.match(io.stderr[0]!, expected);
    assert.doesNotMatch(io.stderr[0]!, /: \(see|Cannot read/);
    assert.deepEqual(io.stdout, []);
  }
  const io = capture();
  assert.equal(await main(['find', '--port', '1', '--json', '-k', '=X'], io), ExitCode.Usage);
  assert.deepEqual(JSON.parse(io.stdout[0]!), { error: { code: 'CLI_USAGE', message: '-k "=X": no keyword or tag before "="', exitCode: 2 } });
});

test('legal -k forms: a value holding "=", gggg,eeee without a value (universal), a tag in parentheses', async () => {
  const scp = await serve(['--store', path.join(root, 'scenarios/stores/conformance.yaml'), '-q']);
  const io = capture();
  const code = await main(['find', '--port', scp.port, '--called-ae', 'QRSCP', '--model', 'patient', '--level', 'PATIENT', '-k', 'PatientName=a=b', '-k', '0010,0020', '-k', '(0010,0030)', '--json'], io);
  await scp.close();
  assert.equal(code, ExitCode.Ok, io.stderr.join('\n'));
  const first = JSON.parse(io.stdout[0]!);
  assert.deepEqual(Object.keys(first.identifier).sort(), ['PatientBirthDate', 'PatientID', 'PatientName', 'QueryRetrieveLevel', 'RetrieveAETitle']);
  assert.equal(identifierFromKeys(['PatientName=a=b']).text('PatientName'), 'a=b');
});

test('--json: every attribute an array, numbers as numbers, absent fields null, errors as JSON lines too', async () => {
  const scp = await serve(['--store', path.join(root, 'scenarios/stores/conformance.yaml'), '-q']);
  const io = capture();
  const keys = ['StudyInstanceUID', 'PatientName', 'ModalitiesInStudy', 'NumberOfStudyRelatedInstances', 'StudyDate', 'PatientWeight', 'StudyDescription', 'ReferencedStudySequence'];
  const code = await main(['find', '--port', scp.port, '--called-ae', 'QRSCP', '--model', 'study', '--level', 'STUDY', ...keys.flatMap((k) => ['-k', k]), '--json'], io);
  const refused = capture();
  const refusedCode = await main(['find', '--port', scp.port, '--called-ae', 'NOPE', '--json'], refused);
  await scp.close();
  assert.equal(code, ExitCode.Ok, io.stderr.join('\n'));
  const lines = io.stdout.map((l) => JSON.parse(l));
  const pendings = lines.filter((l) => l.statusClass === 'Pending');
  assert.ok(pendings.length >= 5);
  for (const p of pendings) {
    for (const [k, v] of Object.entries(p.identifier)) assert.ok(Array.isArray(v), `${k} is ${JSON.stringify(v)}`);
    assert.equal(typeof p.identifier.NumberOfStudyRelatedInstances[0], 'number');
    assert.equal(p.errorComment, null);
    assert.equal(p.offendingElement, null);
  }
  assert.ok(pendings.some((p) => p.identifier.ModalitiesInStudy.length === 2));
  assert.ok(pendings.some((p) => p.identifier.PatientWeight.length === 0));
  const final = lines.at(-2);
  assert.equal(final.identifier, null);
  assert.equal(final.statusHex, '0000');
  const summary = lines.at(-1);
  assert.deepEqual({ ...summary, elapsedMs: 0 }, { summary: true, matches: pendings.length, finalStatus: 0, finalStatusHex: '0000', ended: 'final', cancelSentAfter: null, interruptedBy: null, elapsedMs: 0, problems: [], violations: [], exitCode: 0 });

  assert.equal(refusedCode, ExitCode.Rejected);
  const error = JSON.parse(refused.stdout[0]!).error;
  assert.equal(error.code, 'UL_ASSOCIATION_REJECTED');
  assert.equal(error.exitCode, 4);
  assert.match(refused.stderr[0]!, /association rejected/);
});

test('a response to a Message ID never sent: reported at once (no DIMSE timeout), A-ABORT, exit 7; --strict fails a success that broke a rule', async () => {
  const scp = await serve(['--scenario', path.join(root, 'scenarios/hostile.yaml')]);
  const query = ['find', '--port', scp.port, '--called-ae', 'QRSCP', '--model', 'patient', '--level', 'PATIENT', '--timeout', '30'];
  const io = capture();
  const started = Date.now();
  const code = await main([...query, '-k', 'PatientID=FAULT-MSGID'], io);
  assert.ok(Date.now() - started < 5000, 'ended long before the 30 s DIMSE timeout');
  assert.equal(code, ExitCode.ProtocolError);
  assert.equal(io.stderr.length, 1, io.stderr.join('\n'));
  assert.match(io.stderr[0]!, /^error: C-FIND-RSP answers Message ID 2, which was never sent \(the C-FIND is Message ID 1\): .*PS3\.7 9\.1\.2\.1.*A-ABORT sent$/);
  assert.match(io.stdout.at(-1)!, /0 matches, no final response: A-ABORT sent \(a response to a Message ID never sent\)/);

  const json = capture();
  assert.equal(await main([...query, '-k', 'PatientID=FAULT-MSGID', '--json'], json), ExitCode.ProtocolError);
  const [error, summary] = json.stdout.map((l) => JSON.parse(l));
  assert.equal(error.error.code, 'DIMSE_UNEXPECTED_RESPONSE');
  assert.equal(summary.ended, 'aborted');
  assert.equal(summary.exitCode, 7);

  const lax = capture();
  assert.equal(await main([...query, '-k', 'PatientID=FAULT-SOPCLASS', '-q'], lax), ExitCode.Ok);
  const strict = capture();
  assert.equal(await main([...query, '-k', 'PatientID=FAULT-SOPCLASS', '-q', '--strict'], strict), ExitCode.FailureStatus);
  assert.match(strict.stdout.at(-1)!, /final 0000 Success .*3 problem\(s\) \(--strict: exit 1\)$/);
  assert.equal(await main([...query, '-k', 'PatientID', '-q', '--strict'], capture()), ExitCode.Ok);
  await scp.close();
});

test('in process: SIGINT sends C-CANCEL (the SCP receives it), the summary follows, exit 130, no listener left behind', async () => {
  const scp = await serve(['--scenario', streamScenario(false)]);
  const signals = new EventEmitter();
  const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
  const io = capture();
  const running = findCommand([...streamQuery(scp.port).slice(1), '--json'], io, signals);
  await until(() => io.stdout.length >= 3);
  assert.equal(signals.listenerCount('SIGINT'), 1);
  signals.emit('SIGINT');
  const code = await running;
  assert.equal(code, ExitCode.Interrupted);
  assert.equal(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM'), 0);
  assert.deepEqual([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')], before);
  const summary = JSON.parse(io.stdout.at(-1)!);
  assert.equal(summary.finalStatusHex, 'FE00');
  assert.equal(summary.interruptedBy, 'SIGINT');
  assert.equal(summary.ended, 'final');
  assert.ok(summary.cancelSentAfter >= 3 && summary.matches < 400);
  assert.match(io.stderr.join('\n'), /interrupted: C-CANCEL sent after \d+ Pendings/);
  assert.ok(scp.io.stdout.some((l) => /C-CANCEL/.test(l)), scp.io.stdout.join('\n'));
  assert.match(await scp.close(), /1 C-CANCEL/);
});

/** Runs the CLI as a process; `onOutput` sees the stdout so far after each chunk. */
function runCli(args: string[], onOutput: (child: ReturnType<typeof spawn>, stdout: string) => void) {
  const child = spawn(process.execPath, [path.join(root, 'bin/qr-harness.mjs'), ...args], { env: { ...process.env, FORCE_COLOR: '0' } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => onOutput(child, (stdout += c)));
  child.stderr!.on('data', (c: Buffer) => (stderr += c));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

test('as a process: Ctrl-C sends C-CANCEL and prints the summary (exit 130); against an archive that ignores it, a second Ctrl-C aborts', async () => {
  const scp = await serve(['--scenario', streamScenario(false)]);
  const responses = (stdout: string) => (stdout.match(/^#\d+ /gm) ?? []).length;
  let sent = false;
  const r = await runCli(streamQuery(scp.port), (child, stdout) => {
    if (!sent && responses(stdout) >= 3) (sent = true), child.kill('SIGINT');
  });
  assert.equal(r.code, ExitCode.Interrupted, r.stderr);
  assert.match(r.stdout, /#\d+ FE00 Cancel/);
  assert.match(r.stdout, /Patient Root PATIENT: \d+ matches, final FE00 Cancel.*, C-CANCEL sent after \d+ \(Ctrl-C\)$/m);
  assert.match(await scp.close(), /1 C-CANCEL/);

  const deaf = await serve(['--scenario', streamScenario(true)]);
  let cancelledAt = 0;
  let aborted = false;
  const r2 = await runCli(streamQuery(deaf.port), (child, stdout) => {
    const n = responses(stdout);
    if (!cancelledAt && n >= 2) (cancelledAt = n), child.kill('SIGINT');
    else if (cancelledAt && !aborted && n >= cancelledAt + 5) (aborted = true), child.kill('SIGINT');
  });
  assert.equal(r2.code, ExitCode.Interrupted, r2.stderr);
  assert.match(r2.stderr, /interrupted: C-CANCEL sent after \d+ Pendings[^\n]*\n.*interrupted \(SIGINT\): A-ABORT sent/s);
  assert.match(r2.stdout, /\d+ matches, no final response: A-ABORT sent \(SIGINT\).*C-CANCEL sent after \d+ \(Ctrl-C\)/);
  assert.match(await deaf.close(), /1 C-CANCEL/);
});

test('as a process: SIGTERM aborts at once, exit 143, with the summary as JSON', async () => {
  const scp = await serve(['--scenario', streamScenario(true)]);
  let sent = false;
  const r = await runCli([...streamQuery(scp.port), '--json'], (child, stdout) => {
    if (!sent && stdout.split('\n').length > 3) (sent = true), child.kill('SIGTERM');
  });
  await scp.close();
  assert.equal(r.code, ExitCode.Terminated, r.stderr);
  const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  assert.equal(summary.ended, 'aborted');
  assert.equal(summary.interruptedBy, 'SIGTERM');
  assert.equal(summary.exitCode, 143);
  assert.match(r.stderr, /interrupted \(SIGTERM\): A-ABORT sent/);
});

test('--version and -V print the name and version from package.json, and the commit in a checkout', async () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  for (const flag of ['--version', '-V']) {
    const io = capture();
    assert.equal(await main([flag], io), ExitCode.Ok);
    assert.match(io.stdout[0]!, new RegExp(`^${pkg.name} ${pkg.version.replace(/\./g, '\\.')}( \\(commit [0-9a-f]{12}\\))?$`));
  }
});

test('identifierJson: one JSON type per VR, whatever the value count', () => {
  const ds = DataSet.from({
    InstanceNumber: 'x',
    PatientWeight: ['1.5', ''],
    Rows: [1, 2],
    Columns: 3,
    FrameIncrementPointer: '(0018,1063)',
    AdditionalPatientHistory: 'a\\b',
    ModalitiesInStudy: ['CT', 'PT'],
    StudyDate: null,
    ReferencedStudySequence: [{ ReferencedSOPInstanceUID: '1.2' }],
  });
  ds.set('(0009,1000)', Buffer.from([1, 2]), 'OB');
  const problems: string[] = [];
  assert.deepEqual(identifierJson(ds, problems), {
    StudyDate: [],
    ModalitiesInStudy: ['CT', 'PT'],
    '(0009,1000)': ['0102'],
    ReferencedStudySequence: [{ ReferencedSOPInstanceUID: ['1.2'] }],
    PatientWeight: [1.5, null],
    AdditionalPatientHistory: ['a\\b'],
    InstanceNumber: [null],
    FrameIncrementPointer: ['(0018,1063)'],
    Rows: [1, 2],
    Columns: [3],
  });
  assert.deepEqual(problems, ['InstanceNumber (0020,0013): "x" is not a valid IS value (PS3.5 Table 6.2-1); written as null']);
});
