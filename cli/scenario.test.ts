import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from './main.ts';
import { capture } from './capture-output.ts';
import { serveCommand } from './commands/serve.ts';
import { ExitCode } from './exit-codes.ts';
import { tempDir } from '../simulators/testing/temp-dir.ts';

const root = path.join(import.meta.dirname, '..');

/** `serve --scenario well-behaved.yaml` in this process, on a free port, until `stop()`. */
async function serveWellBehaved(): Promise<{ port: string; stop: () => void; serving: Promise<number>; serverIo: ReturnType<typeof capture> }> {
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  const serverIo = capture();
  const serving = serveCommand(['--scenario', path.join(root, 'scenarios/well-behaved.yaml'), '--port', '0', '-q'], serverIo, stopped);
  for (let i = 0; i < 100 && !serverIo.stdout.some((l) => l.includes('listening')); i++) await new Promise((r) => setTimeout(r, 10));
  const port = /listening on 127\.0\.0\.1:(\d+)/.exec(serverIo.stdout.join('\n'))![1]!;
  return { port, stop, serving, serverIo };
}


test('scenario check: every shipped file is ok; a broken one lists each problem as file:line:column and exits 1', async () => {
  const io = capture();
  const files = ['a700-after-3', 'hostile', 'ignore-cancel', 'slow-archive'].map((f) => path.join(root, 'scenarios', `${f}.yaml`));
  assert.equal(await main(['scenario', 'check', ...files], io), ExitCode.Ok);
  assert.equal(io.stdout.length, 4);
  assert.ok(io.stdout.every((l) => l.startsWith('ok ')));

  const dir = tempDir('cli');
  const bad = path.join(dir, 'bad.yaml');
  writeFileSync(bad, 'name: broken\nscp:\n  aeTitel: X\n  behaviours:\n    - respond: [{ final: "0000" }, { pending: 1 }]\n');
  const io2 = capture();
  assert.equal(await main(['scenario', 'check', bad, files[0]!], io2), ExitCode.FailureStatus);
  assert.deepEqual(io2.stderr, [`error: ${bad}:3:3: scp: unknown key "aeTitel" (did you mean "aeTitle"?); expected aeTitle, port, maxPduLength, writeAhead, profile, timezone, retrieveAeTitle, callingAeTitles, sopClasses, transferSyntaxes, extendedNegotiation, timeouts, association, behaviours`, '1 of 2 scenario files invalid']);
  assert.equal(io2.stdout.length, 1);
});

test('scenario list: the shipped scenarios with their roles and one-line descriptions', async () => {
  const io = capture();
  assert.equal(await main(['scenario', 'list'], io), ExitCode.Ok);
  const text = io.stdout.join('\n');
  for (const f of ['a700-after-3.yaml', 'dcmqrscp-like.yaml', 'hostile.yaml', 'ignore-cancel.yaml', 'orthanc-like.yaml', 'reject-unknown-ae.yaml', 'seed-scp.yaml', 'seed-scu.yaml', 'slow-archive.yaml', 'well-behaved.yaml']) {
    assert.match(text, new RegExp(`^${f.replace('.', '\\.')}\\s+(SCP|SCU|SCP\\+SCU)\\s+\\S`, 'm'));
  }
  assert.match(text, /^seed-scu\.yaml\s+SCP\+SCU/m);
});

test('scenario schema prints the published schema; unknown verbs are usage errors', async () => {
  const io = capture();
  assert.equal(await main(['scenario', 'schema'], io), ExitCode.Ok);
  assert.equal(JSON.parse(io.stdout.join('\n')).title, 'dicom-qr-harness scenario');
  const io2 = capture();
  assert.equal(await main(['scenario', 'validate'], io2), ExitCode.Usage);
  assert.match(io2.stderr[0]!, /unknown scenario command "validate"/);
});

test("run --scenario: the seed's SCU against its own SCP passes; a failed expectation exits 1 and says why", async () => {
  const io = capture();
  assert.equal(await main(['run', '--scenario', path.join(root, 'scenarios/seed-scu.yaml')], io), ExitCode.Ok);
  assert.match(io.stdout.join('\n'), /✔\s+1 find\s+C-FIND patient PATIENT: 1 Pending, final 0000 Success/);
  assert.match(io.stdout.at(-1)!, /3 steps passed/);

  const dir = tempDir('cli');
  writeFileSync(path.join(dir, 'x.yaml'), `name: x\ninclude: [${path.join(root, 'scenarios/a700-after-3.yaml')}]\nscu:\n  calledAeTitle: QRSCP\n  steps:\n    - find: { model: study, level: STUDY, identifier: { StudyInstanceUID: "" }, expect: { final: "0000" } }\n`);
  const io2 = capture();
  assert.equal(await main(['run', '--scenario', path.join(dir, 'x.yaml')], io2), ExitCode.FailureStatus);
  const out = io2.stdout.join('\n');
  assert.match(out, /✘\s+1 find\s+C-FIND study STUDY: 3 Pendings, final A700/);
  assert.match(out, /final status A700, expected 0000/);
});

test('run and serve refuse what does not fit: no scu section, no scp section, options the scenario already sets, a broken file', async () => {
  const io = capture();
  assert.equal(await main(['run', '--scenario', path.join(root, 'scenarios/hostile.yaml')], io), ExitCode.Usage);
  assert.match(io.stderr.join(), /has no scu section/);
  const io2 = capture();
  assert.equal(await main(['run', '--scenario', path.join(root, 'scenarios/seed-scu.yaml'), '--target-scp', 'nohost'], io2), ExitCode.Usage);
  assert.match(io2.stderr.join(), /--target-scp needs HOST:PORT/);
  const io3 = capture();
  assert.equal(await main(['serve', '--scenario', path.join(root, 'scenarios/hostile.yaml'), '--profile', 'orthanc'], io3), ExitCode.Usage);
  assert.match(io3.stderr.join(), /--profile cannot be combined with --scenario/);
  const dir = tempDir('cli');
  writeFileSync(path.join(dir, 'only-scu.yaml'), 'name: x\nscu:\n  steps: [{ echo: true }]\n');
  const io4 = capture();
  assert.equal(await serveCommand(['--scenario', path.join(dir, 'only-scu.yaml'), '--port', '0'], io4, Promise.resolve()), ExitCode.Usage);
  assert.match(io4.stderr.join(), /has no scp section/);
  writeFileSync(path.join(dir, 'typo.yaml'), 'name: x\nscp:\n  profle: strict\n');
  const io5 = capture();
  assert.equal(await serveCommand(['--scenario', path.join(dir, 'typo.yaml'), '--port', '0'], io5, Promise.resolve()), ExitCode.Usage);
  assert.match(io5.stderr.join(), /typo\.yaml:3:3: scp: unknown key "profle" \(did you mean "profile"\?\)/);
});

test("run --target-scp: the scenario's SCU against another SCP (here serve --scenario in the same process)", async () => {
  const { port, stop, serving, serverIo } = await serveWellBehaved();
  const io = capture();
  assert.equal(await main(['run', '--scenario', path.join(root, 'scenarios/seed-scu.yaml'), '--target-scp', `127.0.0.1:${port}`, '--called-ae', 'QRSCP'], io), ExitCode.Ok);
  assert.match(io.stdout[0]!, new RegExp(`SCU → 127\\.0\\.0\\.1:${port}$`));
  stop();
  assert.equal(await serving, ExitCode.Ok);
  assert.match(serverIo.stdout.at(-1)!, /stopped: 1 association\(s\), 2 C-FIND, 0 C-CANCEL/);
});

test('run: a rule the SCP breaks fails its step (unless the step expects it); a C-FIND without a final response fails', async () => {
  const dir = tempDir('cli');
  const orthanc = path.join(root, 'scenarios/orthanc-like.yaml');
  const find = (extra: string) => `    - find: { model: study, level: IMAGE, identifier: { StudyInstanceUID: "", SeriesInstanceUID: "", SOPInstanceUID: "" }, cancel: { after: 1 }${extra} }\n`;
  writeFileSync(path.join(dir, 'cancel.yaml'), `name: x\ninclude: [${orthanc}]\nscu:\n  calledAeTitle: ORTHANC\n  steps:\n${find('')}`);
  const io = capture();
  assert.equal(await main(['run', '--scenario', path.join(dir, 'cancel.yaml')], io), ExitCode.FailureStatus);
  assert.match(io.stdout.join('\n'), /✘\s+1 find\s+C-FIND study IMAGE: \d+ Pendings?, final FE00[^\n]*\n\s+the peer broke a rule: .*a Cancel response \(FE00\) carries an Identifier/);

  writeFileSync(path.join(dir, 'expected.yaml'), `name: x\ninclude: [${orthanc}]\nscu:\n  calledAeTitle: ORTHANC\n  steps:\n${find(', expect: { final: FE00, violations: ["carries an Identifier"] }')}`);
  const io2 = capture();
  assert.equal(await main(['run', '--scenario', path.join(dir, 'expected.yaml')], io2), ExitCode.Ok, io2.stdout.join('\n'));

  writeFileSync(path.join(dir, 'silent.yaml'), 'name: x\nstore:\n  synthetic: { patients: 3 }\nscp:\n  aeTitle: QRSCP\n  behaviours:\n    - respond: [{ pending: 1 }, { close: true }]\nscu:\n  calledAeTitle: QRSCP\n  steps:\n    - find: { model: patient, level: PATIENT, identifier: { PatientID: "" } }\n');
  const io3 = capture();
  assert.equal(await main(['run', '--scenario', path.join(dir, 'silent.yaml')], io3), ExitCode.FailureStatus);
  assert.match(io3.stdout.join('\n'), /no final response \(DIMSE_ASSOCIATION_ENDED/);
});

test('run as a process against another SCP: a wait with no association open and a paused reader finish with exit code 0 and print every step', async () => {
  const dir = tempDir('cli');
  writeFileSync(
    path.join(dir, 'waits.yaml'),
    'name: waits\nscu:\n  calledAeTitle: QRSCP\n  steps:\n    - delayMs: 150\n    - find: { model: study, level: STUDY, identifier: { StudyInstanceUID: "" }, pauseReadingMs: 200, expect: { final: "0000" } }\n    - release: true\n    - delayMs: 100\n',
  );
  const { port, stop, serving, serverIo } = await serveWellBehaved();
  // Nothing but the run's own work may keep the child alive: its waits must.
  const child = spawn(process.execPath, [path.join(root, 'bin/qr-harness.mjs'), 'run', '--scenario', path.join(dir, 'waits.yaml'), '--target-scp', `127.0.0.1:${port}`], { env: { ...process.env, FORCE_COLOR: '0' } });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  stop();
  await serving;
  assert.equal(code, 0, stdout);
  assert.match(stdout, /✔\s+1 delayMs\s+waited 150 ms/);
  assert.match(stdout, /stopped reading for 200 ms/);
  assert.match(stdout, /4 steps passed/);
});
