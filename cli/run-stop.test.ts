/**
 * `run` never ends without saying which steps ran: SIGTERM/SIGINT while a step waits for an SCP
 * that holds its answer, and the guard that reports a process left with nothing to wait for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../simulators/testing/temp-dir.ts';
import { plain } from './capture-output.ts';

const root = path.join(import.meta.dirname, '..');

const until = async (ok: () => boolean, what: string, ms = 20_000) => {
  for (const end = Date.now() + ms; !ok(); await new Promise((r) => setTimeout(r, 5))) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
};

/** `node …args` until it exits; stdout and stderr as lines without colours. */
function node(args: string[]) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: root });
  const out = { stdout: [] as string[], stderr: [] as string[] };
  child.stdout.on('data', (b: Buffer) => out.stdout.push(...plain(b.toString()).split('\n').filter(Boolean)));
  child.stderr.on('data', (b: Buffer) => out.stderr.push(...plain(b.toString()).split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, ...out, exited };
}

/** Two steps that pass, then a C-FIND the SCP answers only after ten minutes, then one more step. */
const HOLDING = `name: holding archive
store:
  patients:
    - { PatientID: "1", PatientName: DOE^A }
scp:
  aeTitle: QRSCP
  behaviours:
    - when: { level: STUDY }
      respond:
        - delayMs: 600000
        - final: "0000"
scu:
  calledAeTitle: QRSCP
  steps:
    - echo: true
    - find: { model: patient, level: PATIENT, identifier: { PatientID: "" }, expect: { final: "0000", pendings: 1 } }
    - find: { model: study, level: STUDY, identifier: { StudyInstanceUID: "" } }
    - echo: true
`;

for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
  test(`${signal} while a step waits for an answer: the steps that ran, the one interrupted, the association aborted, exit ${code}`, async () => {
    const file = path.join(tempDir('run-stop'), 'holding.yaml');
    writeFileSync(file, HOLDING);
    const p = node([path.join(root, 'bin/qr-harness.mjs'), 'run', '--scenario', file, '--timeout', '600', '-v']);
    try {
      // -v traces the C-FIND-RQ of step 3 going out: the step is waiting.
      await until(() => p.stdout.some((l) => l.startsWith('✔  2 find')) && p.stderr.filter((l) => /C-FIND-RQ/.test(l)).length >= 2, 'step 3 to wait');
      p.child.kill(signal);
      assert.equal(await p.exited, code);
      const lines = p.stdout;
      assert.match(lines.find((l) => l.startsWith('✔  1'))!, /^✔  1 echo +C-ECHO status 0000$/);
      assert.match(lines.find((l) => l.startsWith('✔  2'))!, /^✔  2 find +C-FIND patient PATIENT: 1 Pending, final 0000/);
      assert.match(lines.find((l) => l.startsWith('✘  3'))!, new RegExp(`^✘  3 find +interrupted \\(${signal}\\)`));
      assert.ok(!lines.some((l) => /^.  4/.test(l)), 'step 4 never ran');
      assert.equal(lines.at(-1), `interrupted (${signal}) while step 3 (find) was running: 3 of 4 steps ran`);
      // Our side sent an A-ABORT (PS3.8 7.3): the association was not merely dropped.
      assert.ok(p.stderr.some((l) => /rq-\S+ +◆ association aborted by local: DICOM UL service-user/.test(l)), p.stderr.join('\n'));
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  });
}

test('the early-exit guard: a command awaiting a promise nobody will settle reports what it was doing and exits 70', async () => {
  const dir = tempDir('run-stop');
  const script = path.join(dir, 'never.mts');
  writeFileSync(
    script,
    `import { guardEarlyExit } from ${JSON.stringify(path.join(root, 'cli/commands/serve-stop.ts'))};
const unguard = guardEarlyExit(() => console.log('ended early: nothing left to wait for while step 2 (find) was running'));
console.log('✔  1 echo');
await new Promise(() => {});
unguard();
`,
  );
  const p = node(['--import', 'tsx', script]);
  assert.equal(await p.exited, 70);
  assert.deepEqual(p.stdout, ['✔  1 echo', 'ended early: nothing left to wait for while step 2 (find) was running']);
  assert.deepEqual(p.stderr, [], 'no "unsettled top-level await" warning: the guard ran first');

  // Removed once the command is done: a process that ends normally is left alone.
  const done = path.join(dir, 'done.mts');
  writeFileSync(done, `import { guardEarlyExit } from ${JSON.stringify(path.join(root, 'cli/commands/serve-stop.ts'))};\nconst unguard = guardEarlyExit(() => console.log('should not print'));\nawait new Promise((r) => setTimeout(r, 10));\nunguard();\n`);
  const q = node(['--import', 'tsx', done]);
  assert.equal(await q.exited, 0);
  assert.deepEqual(q.stdout, []);
});
