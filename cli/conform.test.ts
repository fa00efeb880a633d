import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { main } from './main.ts';
import { capture } from './capture-output.ts';
import { ExitCode } from './exit-codes.ts';
import { tempDir } from '../simulators/testing/temp-dir.ts';
import type { VerdictsDoc } from '../simulators/conformance/verdicts-doc.ts';


test('conform refuses what does not fit, with the reason: data options without a target, a target without its AE title, an unknown model', async () => {
  for (const [args, words] of [
    [['--load'], /--load, --store and --called-ae need --target-scp/],
    [['--target-scp', '127.0.0.1:104'], /--called-ae AE is required with --target-scp/],
    [['--target-scp', 'nohost', '--called-ae', 'X'], /--target-scp needs HOST:PORT/],
    [['--target-scp', '127.0.0.1:104', '--called-ae', 'X', '--models', 'patient,cat'], /--models: unknown model "cat"/],
    [['--target-scp', '127.0.0.1:104', '--called-ae', 'X', '--load', '--store', 'x.yaml'], /give one/],
  ] as const) {
    const io = capture();
    assert.equal(await main(['conform', ...args], io), ExitCode.Usage, args.join(' '));
    assert.match(io.stderr.join('\n'), words);
  }
});

test('the self run: our SCU against our own SCP, verdicts as they come, verdicts.json with the summary, exit 0 with findings', async () => {
  const report = tempDir('conform');
  const io = capture();
  const code = await main(['conform', '--tags', '@scp-under-test and @association', '--report', report], io);
  const out = io.stdout.join('\n');
  assert.equal(code, ExitCode.Ok, out + io.stderr.join('\n'));
  assert.match(out, /^Self run: our SCU against our own SCP/);
  assert.match(out, /✔ pass {4}association\.accept/);
  assert.match(out, /◆ finding association\.extended-negotiation/);
  const doc = JSON.parse(readFileSync(path.join(report, 'verdicts.json'), 'utf8')) as VerdictsDoc;
  assert.equal(doc.run.mode, 'self');
  assert.equal(doc.summary.total, 6);
  assert.equal(doc.summary.fail, 0);
  assert.deepEqual(Object.keys(doc.checks[0]!).sort(), ['at', 'checklist', 'evidence', 'id', 'observations', 'rules', 'scenario', 'summary', 'title', 'verdict']);
  assert.match(readFileSync(path.join(report, 'junit.xml'), 'utf8'), /association/);
});
