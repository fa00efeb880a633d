import path from 'node:path';
import { Given, Then, When } from '@cucumber/cucumber';
import { runClientCommand } from '../simulators/conformance/client-target.ts';
import { clientAssociations, judgeClientAssociation, judgeClientEnding, judgeClientMessages, noClientVerdict } from '../simulators/conformance/checks/client.ts';
import { judgeClientReaction } from '../simulators/conformance/checks/client-reaction.ts';
import { judgeClientRequests } from '../simulators/conformance/checks/client-requests.ts';
import type { TraceEvent } from '../simulators/trace/format.ts';
import { CHECK_STEP_TIMEOUT_MS, recordVerdict } from './support/archive.ts';
import { NOTICE } from '../simulators/conformance/run-parameters.ts';
import type { HarnessWorld } from './support/world.ts';

/**
 * A query client under test: our SCP serves a scenario's archive on a free port, the client
 * runs against it (its command, or the client connects by itself with --wait), and its traffic
 * as our SCP saw it is judged. In the self run the client is this harness's own `find`.
 */
const ROOT = path.join(import.meta.dirname, '..');
const SELF_CLIENT = `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(ROOT, 'bin/qr-harness.mjs'))} find --host {host} --port {port} --called-ae {aet} --calling-ae {calling} --model study --level STUDY -k PatientID -k StudyInstanceUID -k StudyDate -k PatientName`;
const DEFAULT_CALLING = 'QRCLIENT';

function client(world: HarnessWorld): NonNullable<HarnessWorld['clientUnderTest']> {
  const s = world.clientUnderTest;
  if (!s) throw new Error('no archive was started for the client under test');
  return s;
}

function calling(world: HarnessWorld): string {
  return world.parameters.client?.callingAeTitle ?? DEFAULT_CALLING;
}

/** What our SCP saw of the client: the acceptor's events. */
function seen(world: HarnessWorld): TraceEvent[] {
  return world.scpEvents();
}

/** Resolves once every association the client opened has closed (at least one short pause), or after `ms`. */
async function associationsEnded(world: HarnessWorld, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  do {
    await new Promise((r) => setTimeout(r, 50));
    const list = clientAssociations(seen(world));
    if (list.every((a) => a.events.some((e) => e.kind === 'transport' && e.phase === 'closed'))) return;
  } while (Date.now() < deadline);
}

Given('the archive of {string} serves the client under test', async function (this: HarnessWorld, file: string) {
  const scp = await this.startScenario(file);
  this.clientUnderTest = { archive: file, aeTitle: scp.o.aeTitle, port: scp.port!, run: undefined };
});

When('the client under test queries it', { timeout: CHECK_STEP_TIMEOUT_MS }, async function (this: HarnessWorld) {
  const s = client(this);
  const at = { host: '127.0.0.1', port: s.port, aeTitle: s.aeTitle };
  const timeoutMs = this.parameters.timeoutMs ?? 30_000;
  const c = this.parameters.client;
  if (c?.command !== undefined || !c) {
    s.run = await runClientCommand(c?.command ?? SELF_CLIENT, at, calling(this), c?.waitMs ?? Math.max(timeoutMs, 5_000) * 2);
    // A client may keep its association open a while after its command returns (Orthanc reuses
    // associations for a few seconds): wait for the associations to end, within the run's timeout.
    await associationsEnded(this, Math.min(timeoutMs, 15_000));
    if (s.run.stdout || s.run.stderr) this.attach(`$ ${s.run.command}\n${s.run.stdout}${s.run.stderr}`.slice(0, 20_000), { mediaType: 'text/plain', fileName: 'client-output.txt' });
    return;
  }
  // Without a command: wait for the client to connect, then for its associations to end.
  process.stderr.write(`${NOTICE}Connect the client under test to 127.0.0.1:${s.port}, called AE title "${s.aeTitle}", calling AE title "${calling(this)}" (archive: ${s.archive}); waiting ${Math.round(c.waitMs! / 1000)} s…\n`);
  const deadline = Date.now() + c.waitMs!;
  let quietSince: number | undefined;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const list = clientAssociations(seen(this));
    const open = list.some((a) => !a.events.some((e) => e.kind === 'transport' && e.phase === 'closed'));
    if (list.length && !open) {
      quietSince ??= Date.now();
      if (Date.now() - quietSince > 2_000) break;
    } else quietSince = undefined;
  }
});

Then("the client's association request follows the standard", function (this: HarnessWorld) {
  const s = client(this);
  if (!clientAssociations(seen(this)).length) return recordVerdict(this, noClientVerdict('client.association', 'The A-ASSOCIATE-RQ', s.run));
  return recordVerdict(this, judgeClientAssociation(seen(this), calling(this)));
});

Then('every C-FIND request the client sends is valid for its model and level', function (this: HarnessWorld) {
  const s = client(this);
  if (!clientAssociations(seen(this)).length) return recordVerdict(this, noClientVerdict('client.requests', 'The C-FIND requests', s.run));
  return recordVerdict(this, judgeClientRequests(seen(this)));
});

Then("the client's Message IDs and C-CANCELs are consistent", function (this: HarnessWorld) {
  const s = client(this);
  if (!clientAssociations(seen(this)).length) return recordVerdict(this, noClientVerdict('client.messages', 'Message IDs and C-CANCEL', s.run));
  return recordVerdict(this, judgeClientMessages(seen(this)));
});

Then('the client releases the association when it is done', function (this: HarnessWorld) {
  const s = client(this);
  if (!clientAssociations(seen(this)).length) return recordVerdict(this, noClientVerdict('client.ending', 'The end of the association', s.run));
  return recordVerdict(this, judgeClientEnding(seen(this), s.run));
});

Then('what the client did after {string} is reported', function (this: HarnessWorld, what: string) {
  const s = client(this);
  return recordVerdict(this, judgeClientReaction(`client.after-${path.basename(s.archive, '.yaml')}`, what, seen(this), s.run));
});
