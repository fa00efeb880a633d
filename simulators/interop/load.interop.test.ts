/**
 * qr-harness load against real archives: DCMTK dcmqrscp and Orthanc, each holding the
 * conformance data set (stored with C-STORE), 50 sessions of the default mix over 5 clients.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { capture } from '../../cli/capture-output.ts';
import { loadCommand } from '../../cli/commands/load.ts';
import { ExitCode } from '../../cli/exit-codes.ts';
import { loadIntoArchive } from '../conformance/loader.ts';
import { asLoadResult } from '../load/merge.ts';
import { loadStorePaths } from '../store/load-paths.ts';
import { peerSkip, startDcmqrscp, startOrthanc } from '../testing/peers.ts';
import type { RunningPeer } from '../testing/peers.ts';
import { tempDir } from '../testing/temp-dir.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CONFORMANCE = path.join(ROOT, 'scenarios/stores/conformance.yaml');

/** Orthanc answers a C-CANCEL with FE00 carrying an Identifier (PS3.7 9.1.2.1.5 forbids it; see the README's table): one protocol failure per cancelled session. */
for (const [name, binary, start, cancelCarriesIdentifier] of [
  ['DCMTK dcmqrscp', 'dcmqrscp', () => startDcmqrscp(), false],
  ['Orthanc', 'Orthanc', () => startOrthanc(), true],
] as const) {
  describe(`qr-harness load → ${name}`, { skip: peerSkip(binary) }, () => {
    test(`50 sessions over 5 clients: every session counted, no failure${cancelCarriesIdentifier ? ' but its FE00 with an Identifier' : ''}`, async () => {
      const peer: RunningPeer = await start();
      try {
        const stored = await loadIntoArchive({ host: peer.host, port: peer.port, calledAeTitle: peer.aeTitle, callingAeTitle: 'QRHARNESS', timeoutMs: 30_000 }, loadStorePaths([CONFORMANCE]).store);
        assert.equal(stored.failed.length, 0, JSON.stringify(stored.failed.slice(0, 3)));
        const json = path.join(tempDir('load-interop'), 'r.json');
        const io = capture();
        const code = await loadCommand(['--target-scp', `${peer.host}:${peer.port}`, '--called-ae', peer.aeTitle, '--iterations', '50', '--concurrency', '5', '--json', json], io, new Promise(() => {}));
        process.stderr.write(`# ${name}:\n${io.stdout.map((l) => `#   ${l}`).join('\n')}\n`);
        assert.equal(code, ExitCode.Ok, io.stderr.join('\n'));
        const r = asLoadResult(JSON.parse(readFileSync(json, 'utf8')), json);
        assert.equal(r.counters.sessions, 50);
        // A C-CANCEL read after the last Pending was sent gets 0000 without an Identifier: count the FE00s.
        const protocol = cancelCarriesIdentifier ? (r.finals.FE00 ?? 0) : 0;
        assert.ok(r.counters.c_cancel >= 1);
        assert.equal(r.counters.sessions_ok, 50 - protocol);
        for (const [kind, f] of Object.entries(r.failures)) assert.equal(f.count, kind === 'protocol' ? protocol : 0, `${kind}: ${f.example}`);
        if (protocol) assert.match(r.failures.protocol.example!, /a Cancel response \(FE00\) carries an Identifier/);
        assert.equal(r.counters.associations, 50);
        assert.equal(r.counters.c_find, 50);
        assert.ok(r.counters.pendings >= 50, `${r.counters.pendings} Pendings`);
        assert.equal((r.finals['0000'] ?? 0) + (r.finals.FE00 ?? 0), 50, JSON.stringify(r.finals));
        assert.equal(r.latency.first_pending.count, 50);

        // With --store every answer is judged against what the standard permits (the conformance
        // oracle's readings). Both archives never match an entity whose Required Key is stored
        // zero length (PAT004 and its studies), which PS3.4 C.2.2.1.2 says must match: the same
        // deviation their expected-verdicts files hold as QR-04's fail. Nothing else is wrong.
        const judged = path.join(tempDir('load-interop'), 'store.json');
        const io2 = capture();
        assert.equal(await loadCommand(['--target-scp', `${peer.host}:${peer.port}`, '--called-ae', peer.aeTitle, '--iterations', '26', '--concurrency', '2', '--store', CONFORMANCE, '--json', judged], io2, new Promise(() => {})), ExitCode.Ok, io2.stderr.join('\n'));
        const s = asLoadResult(JSON.parse(readFileSync(judged, 'utf8')), judged);
        process.stderr.write(`#   with --store: ${io2.stdout.filter((l) => /wrong_answer/.test(l)).join(' | ')}\n`);
        assert.ok(s.failures.wrong_answer.count > 0 && s.failures.wrong_answer.count < 26, `${s.failures.wrong_answer.count} wrong answers`);
        assert.match(s.failures.wrong_answer.example!, /: \d+ returned, \d+ expected \(PS3\.4 Annex C[^)]*\): missing (PatientID PAT004|StudyInstanceUID 2\.25\.1005(, 2\.25\.1006)?)$/);
      } finally {
        await peer.stop();
      }
    });
  });
}
