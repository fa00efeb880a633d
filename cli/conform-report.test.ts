import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { main } from './main.ts';
import { capture } from './capture-output.ts';
import { ExitCode } from './exit-codes.ts';
import { tempDir } from '../simulators/testing/temp-dir.ts';
import { findBinary, peersRequired } from '../simulators/testing/peers.ts';
import type { VerdictsDoc } from '../simulators/conformance/verdicts-doc.ts';

const ROOT = path.join(import.meta.dirname, '..');

test('conform writes its own report and JUnit; qr-harness report rebuilds the same from the saved streams', async () => {
  const report = tempDir('conform-report');
  const io = capture();
  const allure = path.join(report, 'allure-results');
  assert.equal(await main(['conform', '--tags', '@scp-under-test and @association', '--report', report, '--allure', allure], io), ExitCode.Ok, io.stderr.join('\n'));
  const html = readFileSync(path.join(report, 'conformance.html'), 'utf8');
  const doc = JSON.parse(readFileSync(path.join(report, 'verdicts.json'), 'utf8')) as VerdictsDoc;
  assert.match(html, /<title>dicom-qr-harness self run · conformance report<\/title>/);
  assert.match(html, new RegExp(`<b id="check-total">${doc.summary.total}</b>`));
  assert.doesNotMatch(html, /<script src=|<link [^>]*href="http/, 'self-contained');
  assert.match(io.stdout.join('\n'), /conformance\.html: [\d.]+ MB, \d+ scenarios/);
  assert.equal(existsSync(path.join(report, `.run-${process.pid}`)), false, 'the run folder is gone');

  const junit = readFileSync(path.join(report, 'junit.xml'), 'utf8');
  const cases = junit.match(/<testcase /g)?.length ?? 0;
  assert.equal(cases, doc.summary.total, 'one testcase per scenario (each of these scenarios is one check)');
  assert.match(junit, /<testcase classname="The association with the archive under test" name="[^"]+"/);
  assert.match(junit, /<property name="verdict" value="finding"\/>/);
  assert.match(junit, /<system-out>FINDING association\.extended-negotiation: /);

  // Allure results too: one result per scenario, named and with its status.
  const results = readdirSync(allure).filter((f) => f.endsWith('-result.json')).map((f) => JSON.parse(readFileSync(path.join(allure, f), 'utf8')) as { name: string; status: string });
  assert.equal(results.length, cases);
  assert.ok(results.every((r) => r.status === 'passed' && r.name.length > 0));

  const out = tempDir('rebuilt');
  const io2 = capture();
  assert.equal(await main(['report', path.join(report, 'messages.ndjson'), '--out', out], io2), ExitCode.Ok, io2.stderr.join('\n'));
  assert.match(io2.stdout.join('\n'), new RegExp(`^${cases} scenarios, ${doc.summary.total} checks \\(${doc.summary.pass} pass, 0 fail, ${doc.summary.finding} finding`));
  // The same streams give the same page (the verdicts.json beside the stream is read too).
  assert.equal(readFileSync(path.join(out, 'conformance.html'), 'utf8'), html);
  assert.equal(readFileSync(path.join(out, 'junit.xml'), 'utf8'), junit);

  const io3 = capture();
  assert.equal(await main(['report', path.join(out, 'nothing.ndjson')], io3), ExitCode.Usage);
  assert.match(io3.stderr.join('\n'), /^error: no message stream at .*nothing\.ndjson/);
});

test('an interrupted run keeps the previous complete reports and leaves what it reached in interrupted/', { timeout: 120_000 }, async () => {
  const report = tempDir('conform-interrupted');
  assert.equal(await main(['conform', '--tags', '@scp-under-test and @association', '--report', report], capture()), ExitCode.Ok);
  const before = Object.fromEntries(['conformance.html', 'junit.xml', 'verdicts.json', 'messages.ndjson'].map((f) => [f, readFileSync(path.join(report, f), 'utf8')]));

  const child = spawn(process.execPath, [path.join(ROOT, 'bin/qr-harness.mjs'), 'conform', '--report', report], { env: { ...process.env, FORCE_COLOR: '0' } });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    // Interrupt once a few verdicts are in: the suite is well under way.
    if ((stdout.match(/^(✔|◆|✘)/gm)?.length ?? 0) >= 3 && child.exitCode === null && !child.killed) child.kill('SIGINT');
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 2, stdout);
  assert.match(stdout, /The run did not finish: the reports in .* are those of the last complete run; what this run reached is in .*interrupted\/conformance\.html/);
  for (const [f, text] of Object.entries(before)) assert.equal(readFileSync(path.join(report, f), 'utf8'), text, `${f} kept`);
  const partial = JSON.parse(readFileSync(path.join(report, 'interrupted/verdicts.json'), 'utf8')) as VerdictsDoc;
  assert.equal(partial.run.interrupted, true);
  const html = readFileSync(path.join(report, 'interrupted/conformance.html'), 'utf8');
  assert.match(html, /interrupted: only the scenarios that ran are shown/);
  assert.ok(statSync(path.join(report, 'interrupted/junit.xml')).size > 0);
});

test('a client under test whose command is not found: each check an error that says so, exit code 2; --target-scu and --target-scp together refused', async () => {
  const report = tempDir('client-not-found');
  const io = capture();
  assert.equal(await main(['conform', '--tags', '@client and not @reaction', '--target-scu', 'no-such-client-command {host} {port}', '--report', report], io), 2);
  const doc = JSON.parse(readFileSync(path.join(report, 'verdicts.json'), 'utf8')) as VerdictsDoc;
  assert.equal(doc.run.mode, 'client under test');
  assert.equal(doc.summary.error, doc.summary.total);
  assert.ok(doc.checks.every((c) => /the client never requested an association: the command was not found/.test(c.summary)));
  const io2 = capture();
  assert.equal(await main(['conform', '--target-scu', 'x', '--target-scp', '127.0.0.1:104'], io2), ExitCode.Usage);
  assert.match(io2.stderr.join('\n'), /give one/);
});

test("conform --pcap: the checks' traffic as a capture that Wireshark's tshark decodes as DICOM", { skip: findBinary('tshark') || peersRequired() ? false : 'tshark not installed (apt-get install -y tshark); REQUIRE_PEERS=1 makes this a failure' }, async () => {
  const report = tempDir('conform-pcap');
  const pcap = path.join(report, 'run.pcapng');
  const io = capture();
  assert.equal(await main(['conform', '--tags', '@scp-under-test and @cancellation', '--report', report, '--pcap', pcap], io), ExitCode.Ok, io.stderr.join('\n'));
  assert.match(io.stdout.join('\n'), /Capture: .*run\.pcapng \(\d+ connections, \d+ PDUs\)/);
  const r = spawnSync('tshark', ['-r', pcap, '--enable-heuristic', 'dicom_tcp', '-Y', 'dicom', '-T', 'fields', '-e', '_ws.col.Info'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /A-ASSOCIATE request QRHARNESS --> QRSCP/);
  assert.match(r.stdout, /C-FIND-RQ/);
  assert.match(r.stdout, /C-CANCEL-RQ|C-CANCEL/);
  assert.match(r.stdout, /C-FIND-RSP/);
});

test('conform --wait: each client scenario says where to connect, then judges the client that connects by itself', { timeout: 120_000 }, async () => {
  const report = tempDir('conform-wait');
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/qr-harness.mjs'), 'conform', '--tags', '@client and not @reaction', '--wait', '20', '--report', report], { env: { ...process.env, FORCE_COLOR: '0' } });
  let stdout = '';
  let served = 0;
  const ports: string[] = [];
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    for (const m of stdout.matchAll(/Connect the client under test to 127\.0\.0\.1:(\d+), called AE title "QRSCP", calling AE title "QRCLIENT"/g)) {
      if (ports.includes(m[1]!)) continue;
      ports.push(m[1]!);
      // The client under test: our own find, started by hand as a user would start theirs.
      void main(['find', '--port', m[1]!, '--called-ae', 'QRSCP', '--calling-ae', 'QRCLIENT', '--model', 'study', '--level', 'STUDY', '-k', 'PatientID', '-k', 'StudyInstanceUID'], capture()).then(() => served++);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, stdout);
  assert.equal(ports.length, 4);
  assert.equal(served, 4);
  const doc = JSON.parse(readFileSync(path.join(report, 'verdicts.json'), 'utf8')) as VerdictsDoc;
  assert.deepEqual(doc.client, { callingAeTitle: 'QRCLIENT', waitSeconds: 20 });
  assert.equal(doc.summary.pass, 4);
});
