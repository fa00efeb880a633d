import type { Verdict, VerdictKind } from '../../simulators/conformance/verdict.ts';
import { VERDICT_KINDS } from '../../simulators/conformance/verdict.ts';
import type { VerdictsDoc } from '../../simulators/conformance/verdicts-doc.ts';
import type { RunScenario, RunStream } from './run-stream.ts';

/** How one scenario ended, as a verdict: its checks' worst verdict, or for a scenario without checks its cucumber status (findings count as findings). */
export type Outcome = VerdictKind;

const SEVERITY: VerdictKind[] = ['pass', 'n/a', 'finding', 'error', 'fail'];

export interface ReportScenario extends RunScenario {
  /** Anchor in the page. */
  anchor: string;
  theme: string;
  outcome: Outcome;
  checklist: number[];
}

/** One line of "fails and findings first". */
export interface Headline {
  verdict: VerdictKind;
  id: string;
  title: string;
  rules: string[];
  seen: string;
  anchor: string | undefined;
  theme: string;
}

/** One of several merged runs, as the merged verdicts.json lists them. */
export interface MergedRunFacts {
  /** "run 2: ORTHANC at 10.0.0.5:4242 (…)". */
  label: string;
  /** The report folder or message stream it was read from. */
  source: string;
  mode: string;
  startedAt: string;
  durationMs: number;
  interrupted: boolean;
  tags?: string;
  target?: VerdictsDoc['target'];
  client?: VerdictsDoc['client'];
  summary: VerdictsDoc['summary'];
}

export interface ReportModel {
  product: { name: string; version: string; commit?: string };
  mode: string;
  startedAt: string | undefined;
  durationMs: number | undefined;
  interrupted: boolean;
  target: VerdictsDoc['target'];
  client: VerdictsDoc['client'];
  dataSet: VerdictsDoc['dataSet'] | undefined;
  tags: string | undefined;
  /** The runs a merged report holds (absent for one run). */
  runs: MergedRunFacts[] | undefined;
  /** Every check's verdict (the verdicts file when there is one, else those attached to scenarios). */
  checks: Verdict[];
  checkCounts: Record<VerdictKind, number> & { total: number };
  scenarios: ReportScenario[];
  outcomeCounts: Record<VerdictKind, number> & { total: number };
  themes: string[];
  matrix: Record<string, Record<VerdictKind, number>>;
  headlines: Headline[];
  /** Every scenario a checklist item is proven by. */
  byChecklist: Map<number, ReportScenario[]>;
}

const worst = (list: VerdictKind[]) => list.reduce<VerdictKind>((w, v) => (SEVERITY.indexOf(v) > SEVERITY.indexOf(w) ? v : w), 'pass');

/** The theme of a feature file: the folder under features/ (association, matching, pending …). */
export function themeOf(uri: string | undefined): string {
  const m = /(?:^|\/)features\/([^/]+)\//.exec(uri ?? '');
  return m ? m[1]! : 'data';
}

function outcomeOf(s: RunScenario): Outcome {
  if (s.verdicts.length) return worst(s.verdicts.map((v) => v.verdict));
  switch (s.status) {
    case 'PASSED':
      return s.findings.length ? 'finding' : 'pass';
    case 'SKIPPED':
      return 'n/a';
    case 'FAILED':
      return 'fail';
    default:
      return 'error';
  }
}

/** The first lines of a step's error, without the stack: what a reader needs. */
export function failureText(message: string | undefined): string {
  if (!message) return '';
  const lines = message.split('\n');
  const stack = lines.findIndex((l) => /^\s+at /.test(l));
  let text = (stack >= 0 ? lines.slice(0, stack) : lines).join('\n').trim();
  // Node's assertion text in words: "expected Y, got X" instead of "X !== Y" and a +/- diff.
  text = text.replace(/^(?:AssertionError(?: \[ERR_ASSERTION\])?|Error): /, '');
  const strict = /^Expected values to be (?:strictly|loosely) (?:deep-)?equal:\s*\n\s*\n?(.+?) !== (.+?)\s*(?:\n|$)/s.exec(text);
  if (strict) return `expected ${strict[2]!.trim()}, got ${strict[1]!.trim()}`;
  const header = /\+ (actual|expected) - (actual|expected)/.exec(text);
  if (header && header.index > 0) {
    const plus = header[1] === 'actual' ? 'got:      ' : 'expected: ';
    const minus = header[1] === 'actual' ? 'expected: ' : 'got:      ';
    const changed = text.slice(header.index).split('\n').slice(1).filter((l) => /^[+-]/.test(l));
    text = `${text.slice(0, header.index).trim()}\n${changed.map((l) => (l.startsWith('+') ? plus : minus) + l.slice(1).trim()).join('\n')}`;
  }
  return text.trim();
}

function counts(list: VerdictKind[]): Record<VerdictKind, number> & { total: number } {
  const c = Object.fromEntries(VERDICT_KINDS.map((k) => [k, 0])) as Record<VerdictKind, number>;
  for (const v of list) c[v]++;
  return { ...c, total: list.length };
}

export function buildModel(run: RunStream, doc: VerdictsDoc | undefined, product: ReportModel['product']): ReportModel {
  const seen = new Map<string, number>();
  const scenarios: ReportScenario[] = run.scenarios.map((s) => {
    const base = `${themeOf(s.uri)}-${s.name}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const checklist = [...new Set([...s.tags.flatMap((t) => /^@checklist-(\d+)$/.exec(t)?.[1] ?? []).map(Number), ...s.verdicts.flatMap((v) => v.checklist)])].sort((a, b) => a - b);
    return { ...s, anchor: n > 1 ? `${base}-${n}` : base, theme: themeOf(s.uri), outcome: outcomeOf(s), checklist };
  });
  const checks = doc?.checks ?? scenarios.flatMap((s) => s.verdicts);
  const anchorOfCheck = (v: Verdict) => scenarios.find((s) => s.verdicts.some((x) => x.id === v.id))?.anchor ?? scenarios.find((s) => v.scenario && s.name === v.scenario.name && s.uri === v.scenario.uri)?.anchor;
  const themes = [...new Set(['data', ...scenarios.map((s) => s.theme)])];
  const matrix: ReportModel['matrix'] = {};
  for (const t of themes) matrix[t] = Object.fromEntries(VERDICT_KINDS.map((k) => [k, 0])) as Record<VerdictKind, number>;
  for (const s of scenarios) matrix[s.theme]![s.outcome]++;
  // Checks reached before the suite (load, census, reachability) belong to no scenario.
  for (const c of checks) if (!anchorOfCheck(c)) matrix.data![c.verdict]++;
  if (Object.values(matrix.data!).every((n) => n === 0)) delete matrix.data;

  const headlines: Headline[] = [];
  for (const c of checks) {
    if (c.verdict === 'pass') continue;
    const s = scenarios.find((x) => x.verdicts.some((v) => v.id === c.id));
    headlines.push({ verdict: c.verdict, id: c.id, title: c.title, rules: c.rules, seen: c.summary, anchor: anchorOfCheck(c), theme: s?.theme ?? 'data' });
  }
  for (const s of scenarios) {
    if (s.verdicts.length) continue;
    if (s.outcome === 'fail' || s.outcome === 'error') {
      const step = s.steps.find((x) => x.status === 'FAILED' || x.status === 'UNDEFINED' || x.status === 'AMBIGUOUS');
      headlines.push({ verdict: s.outcome, id: s.name, title: s.feature, rules: [], seen: step ? `${step.keyword} ${step.text}: ${failureText(step.message).split('\n')[0] || step.status}` : s.status, anchor: s.anchor, theme: s.theme });
    }
    for (const f of s.findings) headlines.push({ verdict: 'finding', id: s.name, title: s.feature, rules: [], seen: f, anchor: s.anchor, theme: s.theme });
  }
  const order: VerdictKind[] = ['fail', 'error', 'finding', 'n/a'];
  headlines.sort((a, b) => order.indexOf(a.verdict) - order.indexOf(b.verdict));

  const byChecklist = new Map<number, ReportScenario[]>();
  for (const s of scenarios) for (const n of s.checklist) byChecklist.set(n, [...(byChecklist.get(n) ?? []), s]);

  const startedAt = doc?.run.startedAt ?? (run.startedAt !== undefined ? new Date(run.startedAt).toISOString() : undefined);
  const durationMs = doc?.run.durationMs ?? (run.startedAt !== undefined && run.finishedAt !== undefined ? run.finishedAt - run.startedAt : undefined);
  return {
    product,
    mode: doc?.run.mode ?? (scenarios.some((s) => s.tags.includes('@self')) ? 'self' : 'archive under test'),
    startedAt,
    durationMs,
    interrupted: doc?.run.interrupted ?? !run.finished,
    target: doc?.target,
    client: doc?.client,
    dataSet: doc?.dataSet,
    tags: doc?.run.tags,
    runs: (doc as (VerdictsDoc & { runs?: MergedRunFacts[] }) | undefined)?.runs,
    checks,
    checkCounts: counts(checks.map((c) => c.verdict)),
    scenarios,
    outcomeCounts: counts(scenarios.map((s) => s.outcome)),
    themes: Object.keys(matrix),
    matrix,
    headlines,
    byChecklist,
  };
}
