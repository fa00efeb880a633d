import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * Step texts in the HTML report are rebuilt from each step's match arguments: the text up to an
 * argument's start, its value, and so on. An argument without a position (an optional group that
 * matched nothing), an empty one, overlapping ones or a regex group nested in another garble the text
 * ("2 ms apart ms apart"). A dry run of the features gives every step's arguments; each must rebuild
 * its text exactly. (Here rather than in steps/, which cucumber imports whole.)
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Group { start?: number; value?: string; children?: Group[] }
interface Argument { group: Group; parameterTypeName?: string }
interface Envelope {
  stepDefinition?: { id: string; pattern: { source: string; type: string }; sourceReference: { uri?: string; location?: { line: number } } };
  pickle?: { uri: string; name: string; steps: { id: string; text: string }[] };
  testCase?: { testSteps: { pickleStepId?: string; stepDefinitionIds?: string[]; stepMatchArgumentsLists?: { stepMatchArguments: Argument[] }[] }[] };
}

/** The cucumber message stream of a dry run over every feature (the `conform` profile writes no report files). */
function dryRunMessages(): Envelope[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'step-texts-'));
  const file = path.join(dir, 'messages.ndjson');
  try {
    execFileSync(process.execPath, ['--import', 'tsx', 'node_modules/@cucumber/cucumber/bin/cucumber.js', '--dry-run', '--profile', 'conform', '--format', `message:${file}`], { cwd: root, stdio: 'pipe' });
    return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Envelope);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The text the HTML report shows for a step: the plain text between arguments, and each argument's value. */
function rebuiltText(text: string, args: readonly Argument[]): string {
  let out = '';
  let offset = 0;
  for (const { group } of args) {
    out += text.slice(offset, group.start);
    if (group.value) {
      out += group.value;
      offset = (group.start ?? offset) + group.value.length;
    }
  }
  return out + text.slice(offset);
}

/** What is wrong with one step's arguments, if anything. */
function problemsOf(text: string, args: readonly Argument[], regex: boolean): string[] {
  const problems: string[] = [];
  let end = 0;
  args.forEach(({ group }, i) => {
    const n = `argument ${i + 1}`;
    if (group.start === undefined || group.value === undefined) return void problems.push(`${n} matched nothing (an optional group?)`);
    if (group.value === '') problems.push(`${n} is empty`);
    if (group.start < end) problems.push(`${n} overlaps the one before`);
    if (text.slice(group.start, group.start + group.value.length) !== group.value) problems.push(`${n} is not where it says`);
    // {string} and other parameter types have inner groups of their own; in a regex, they are nested capture groups.
    if (regex && group.children?.some((c) => c.value !== undefined)) problems.push(`${n} has nested capture groups`);
    end = group.start + group.value.length;
  });
  if (rebuiltText(text, args) !== text) problems.push(`rebuilt as "${rebuiltText(text, args)}"`);
  return problems;
}

const messages = dryRunMessages();

test('an argument without a position repeats the text after it, as the report showed it', () => {
  const text = 'the SCU queries at IMAGE level and cancels before the first Pending';
  const args: Argument[] = [{ group: { start: 19, value: 'IMAGE' } }, { group: {} }];
  assert.equal(rebuiltText(text, args.slice(0, 1)), text);
  assert.equal(rebuiltText(text, args), 'the SCU queries at IMAGE level and cancels before the first Pending level and cancels before the first Pending');
  assert.equal(problemsOf(text, args, true)[0], 'argument 2 matched nothing (an optional group?)');
});

test('every step of every feature matches one step definition', () => {
  const steps = new Map(messages.flatMap((m) => m.pickle?.steps.map((s) => [s.id, `${m.pickle!.uri}: ${s.text}`] as const) ?? []));
  const wrong = messages.flatMap((m) => m.testCase?.testSteps.filter((s) => s.pickleStepId && s.stepDefinitionIds?.length !== 1).map((s) => `${steps.get(s.pickleStepId!)} (${s.stepDefinitionIds?.length ?? 0} definitions)`) ?? []);
  assert.ok(steps.size > 100, `only ${steps.size} steps in the dry run`);
  assert.deepEqual([...new Set(wrong)], []);
});

test('every step text rebuilds exactly from its match arguments: each placed, non-empty, in order, none nested', () => {
  const definitions = new Map(messages.flatMap((m) => (m.stepDefinition ? [[m.stepDefinition.id, m.stepDefinition] as const] : [])));
  const texts = new Map(messages.flatMap((m) => m.pickle?.steps.map((s) => [s.id, s.text] as const) ?? []));
  const found = new Map<string, Set<string>>();
  for (const m of messages) {
    for (const step of m.testCase?.testSteps ?? []) {
      const definition = definitions.get(step.stepDefinitionIds?.[0] ?? '');
      const text = texts.get(step.pickleStepId ?? '');
      if (!definition || text === undefined) continue;
      for (const list of step.stepMatchArgumentsLists ?? []) {
        const problems = problemsOf(text, list.stepMatchArguments, definition.pattern.type === 'REGULAR_EXPRESSION');
        const where = `${definition.sourceReference.uri}:${definition.sourceReference.location?.line} ${definition.pattern.source}`;
        if (problems.length) found.set(where, (found.get(where) ?? new Set()).add(`"${text}": ${problems.join('; ')}`));
      }
    }
  }
  assert.deepEqual(Object.fromEntries([...found].map(([k, v]) => [k, [...v]])), {});
});
