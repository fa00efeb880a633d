import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A real cucumber run for the report's tests: the project's steps over two shipped @self
 * @association features and one feature of our own (in a temporary folder) in which a scenario
 * passes with a data table, an outline has two rows, one scenario fails an assertion and one has
 * a step nobody defined. Returns the message stream and what cucumber itself printed.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const SHIPPED_FEATURES = ['features/association/echo.feature', 'features/association/rejection.feature'];

export const OWN_FEATURE_NAME = 'Reports of a run with failures';

export const OWN_FEATURE = `@self @association
Feature: ${OWN_FEATURE_NAME}
  Written for the report's tests: what a run with a failure and an undefined step gives.

  Background:
    Given an SCP "QRSCP" is listening

  @checklist-55
  Scenario: Verification, then release
    When "ECHOSCU" associates with "QRSCP" proposing Verification
    And the SCU sends C-ECHO
    Then the C-ECHO status is 0000
    When the SCU releases the association
    Then the association ends released

  @checklist-17
  Scenario: Contexts proposed in a table
    When "FINDSCU" associates with "QRSCP" proposing:
      | abstract syntax | transfer syntaxes         |
      | Verification    | Implicit VR Little Endian |
    Then the association is accepted

  @checklist-56
  Scenario Outline: Message ID <id>
    When "ECHOSCU" associates with "QRSCP" proposing Verification
    And the SCU sends C-ECHO with message ID <id>
    Then the C-ECHO status is 0000

    Examples:
      | id |
      | 7  |
      | 9  |

  @checklist-55
  Scenario: A C-ECHO status the SCP never answers
    When "ECHOSCU" associates with "QRSCP" proposing Verification
    And the SCU sends C-ECHO
    Then the C-ECHO status is 0110

  Scenario: A step nobody wrote
    When the moon sends C-ECHO
`;

export interface TestRun {
  /** The NDJSON message stream. */
  messages: string;
  /** Cucumber's own count of scenarios by status, from its summary line ("29 scenarios (1 failed, 27 passed)"). */
  counted: { total: number; byStatus: Record<string, number> };
  /** The feature's uri as cucumber names it (relative to the project). */
  ownUri: string;
}

/** Runs cucumber once (a few seconds). No report file of the project is written: the config is empty and the only format is the message stream (and progress on stdout). */
export function runCucumber(): TestRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-run-'));
  try {
    const featureDir = path.join(dir, 'features', 'association');
    fs.mkdirSync(featureDir, { recursive: true });
    const feature = path.join(featureDir, 'reports.feature');
    fs.writeFileSync(feature, OWN_FEATURE);
    const config = path.join(dir, 'cucumber.mjs');
    fs.writeFileSync(config, 'export default {};\n');
    const messagesFile = path.join(dir, 'messages.ndjson');
    const args = ['--import', 'tsx', 'node_modules/@cucumber/cucumber/bin/cucumber.js', '--config', path.relative(root, config), '--import', 'steps/**/*.ts', '--tags', '@self and @association'];
    args.push('--format', 'progress', '--format', `message:${messagesFile}`, feature, ...SHIPPED_FEATURES);
    let stdout: string;
    try {
      stdout = execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      // A run with a failed scenario exits 1; anything else is the test's problem.
      const err = e as { status?: number; stdout?: string; stderr?: string };
      if (err.status !== 1 || !err.stdout) throw new Error(`cucumber failed: ${err.stderr ?? String(e)}`);
      stdout = err.stdout;
    }
    const m = /^(\d+) scenarios? \(([^)]*)\)$/m.exec(stdout);
    if (!m) throw new Error(`no summary line in cucumber's output:\n${stdout}`);
    const byStatus = Object.fromEntries(m[2]!.split(', ').map((part) => part.split(' ')).map(([n, status]) => [status!, Number(n)]));
    return { messages: fs.readFileSync(messagesFile, 'utf8'), counted: { total: Number(m[1]), byStatus }, ownUri: path.relative(root, feature) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
