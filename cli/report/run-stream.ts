import { TRAFFIC_MEDIA_TYPE } from '../../simulators/trace/record.ts';
import type { TrafficRecord } from '../../simulators/trace/record.ts';
import type { Verdict } from '../../simulators/conformance/verdict.ts';

/** The media type steps attach a verdict with. */
export const VERDICT_MEDIA_TYPE = 'application/vnd.qr-harness.verdict+json';

export type StepStatus = 'PASSED' | 'SKIPPED' | 'PENDING' | 'UNDEFINED' | 'AMBIGUOUS' | 'FAILED' | 'UNKNOWN';

export interface RunStep {
  keyword: string;
  text: string;
  status: StepStatus;
  /** The error of a failed step, as cucumber reported it. */
  message?: string;
  durationMs: number;
  /** A data table or doc string of the step, as text. */
  argument?: string;
}

/** One scenario as it ran: where it is, what it says, how it ended, and what it attached. */
export interface RunScenario {
  id: string;
  uri: string;
  line: number | undefined;
  feature: string;
  name: string;
  tags: string[];
  steps: RunStep[];
  /** The worst step status. */
  status: StepStatus;
  startedAt: number | undefined;
  durationMs: number;
  verdicts: Verdict[];
  findings: string[];
  traffic: TrafficRecord | undefined;
  /** Any other text attachments, by file name. */
  notes: { name: string; text: string }[];
}

export interface RunStream {
  startedAt: number | undefined;
  finishedAt: number | undefined;
  /** Whether the stream ends with testRunFinished (a complete run). */
  finished: boolean;
  success: boolean | undefined;
  cucumberVersion: string | undefined;
  scenarios: RunScenario[];
}

type Ts = { seconds: number; nanos: number };
const msOf = (t: Ts | undefined) => (t ? t.seconds * 1000 + t.nanos / 1e6 : undefined);
const durationMs = (d: Ts | undefined) => (d ? d.seconds * 1000 + d.nanos / 1e6 : 0);
const RANK: StepStatus[] = ['PASSED', 'SKIPPED', 'PENDING', 'UNKNOWN', 'UNDEFINED', 'AMBIGUOUS', 'FAILED'];

/* eslint-disable @typescript-eslint/no-explicit-any -- cucumber's envelopes, read field by field below */
type Envelope = Record<string, any>;

/**
 * Reads cucumber's message stream (NDJSON) into scenarios in the order they ran, with the
 * verdicts, findings and traffic each attached. A truncated stream (an interrupted run) reads
 * as far as it goes; a line that is not JSON is skipped and counted.
 */
export function readRunStream(text: string): RunStream & { badLines: number } {
  const gherkinSteps = new Map<string, { keyword: string; argument?: string }>();
  const scenarioLines = new Map<string, number>();
  const featureByUri = new Map<string, string>();
  const pickles = new Map<string, Envelope>();
  const testCases = new Map<string, Envelope>();
  const started = new Map<string, RunScenario & { stepIndex: Map<string, number> }>();
  const order: string[] = [];
  const run: RunStream = { startedAt: undefined, finishedAt: undefined, finished: false, success: undefined, cucumberVersion: undefined, scenarios: [] };
  let badLines = 0;

  const indexChildren = (children: Envelope[] = []) => {
    for (const c of children) {
      const sc = c.scenario ?? c.background;
      if (sc) {
        if (c.scenario) scenarioLines.set(sc.id, sc.location.line);
        for (const s of sc.steps ?? []) gherkinSteps.set(s.id, { keyword: s.keyword.trim(), ...(s.docString && { argument: s.docString.content }) });
        for (const ex of sc.examples ?? []) for (const row of ex.tableBody ?? []) scenarioLines.set(row.id, row.location.line);
      }
      if (c.rule) indexChildren(c.rule.children);
    }
  };

  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let m: Envelope;
    try {
      m = JSON.parse(line) as Envelope;
    } catch {
      badLines++;
      continue;
    }
    if (m.meta) run.cucumberVersion = m.meta.implementation?.version;
    else if (m.gherkinDocument) {
      const d = m.gherkinDocument;
      featureByUri.set(d.uri, d.feature?.name ?? d.uri);
      indexChildren(d.feature?.children);
    } else if (m.pickle) pickles.set(m.pickle.id, m.pickle);
    else if (m.testCase) testCases.set(m.testCase.id, m.testCase);
    else if (m.testRunStarted) run.startedAt = msOf(m.testRunStarted.timestamp);
    else if (m.testRunFinished) {
      run.finishedAt = msOf(m.testRunFinished.timestamp);
      run.finished = true;
      run.success = m.testRunFinished.success;
    } else if (m.testCaseStarted) {
      const tc = testCases.get(m.testCaseStarted.testCaseId);
      const p = tc && pickles.get(tc.pickleId);
      if (!tc || !p) continue;
      const stepIndex = new Map<string, number>();
      const steps: RunStep[] = [];
      for (const ts of tc.testSteps as Envelope[]) {
        if (!ts.pickleStepId) continue;
        const ps = (p.steps as Envelope[]).find((s) => s.id === ts.pickleStepId);
        if (!ps) continue;
        const g = gherkinSteps.get(ps.astNodeIds[0]);
        stepIndex.set(ts.id, steps.length);
        const table = ps.argument?.dataTable?.rows as { cells: { value: string }[] }[] | undefined;
        const argument = ps.argument?.docString?.content ?? (table ? table.map((r) => `| ${r.cells.map((c) => c.value).join(' | ')} |`).join('\n') : undefined);
        steps.push({ keyword: g?.keyword ?? '*', text: ps.text, status: 'UNKNOWN', durationMs: 0, ...(argument !== undefined && { argument }) });
      }
      const lineId = (p.astNodeIds as string[]).at(-1)!;
      const scenario = {
        id: m.testCaseStarted.id,
        uri: p.uri,
        line: scenarioLines.get(lineId) ?? scenarioLines.get(p.astNodeIds[0]),
        feature: featureByUri.get(p.uri) ?? p.uri,
        name: p.name,
        tags: (p.tags as { name: string }[]).map((t) => t.name),
        steps,
        status: 'PASSED' as StepStatus,
        startedAt: msOf(m.testCaseStarted.timestamp),
        durationMs: 0,
        verdicts: [],
        findings: [],
        traffic: undefined,
        notes: [],
        stepIndex,
      };
      started.set(scenario.id, scenario);
      order.push(scenario.id);
    } else if (m.testStepFinished) {
      const f = m.testStepFinished;
      const s = started.get(f.testCaseStartedId);
      if (!s) continue;
      const status = f.testStepResult.status as StepStatus;
      if (RANK.indexOf(status) > RANK.indexOf(s.status)) s.status = status;
      const i = s.stepIndex.get(f.testStepId);
      if (i !== undefined) Object.assign(s.steps[i]!, { status, durationMs: durationMs(f.testStepResult.duration), ...(f.testStepResult.message && { message: f.testStepResult.message }) });
      else if (status === 'FAILED') s.notes.push({ name: 'hook failed', text: f.testStepResult.message ?? 'a hook failed' });
    } else if (m.attachment) {
      const a = m.attachment;
      const s = started.get(a.testCaseStartedId);
      if (!s) continue;
      const body = a.contentEncoding === 'BASE64' ? Buffer.from(a.body, 'base64').toString('utf8') : (a.body as string);
      try {
        if (a.mediaType === VERDICT_MEDIA_TYPE) s.verdicts.push(JSON.parse(body) as Verdict);
        else if (a.mediaType === TRAFFIC_MEDIA_TYPE) s.traffic = JSON.parse(body) as TrafficRecord;
        else if (a.fileName === 'finding.txt') s.findings.push(body.replace(/^finding: /, ''));
        else if (/^text\//.test(a.mediaType)) s.notes.push({ name: a.fileName ?? 'note', text: body });
      } catch {
        s.notes.push({ name: 'unreadable attachment', text: `${a.fileName ?? a.mediaType}: not valid JSON` });
      }
    } else if (m.testCaseFinished) {
      const s = started.get(m.testCaseFinished.testCaseStartedId);
      if (!s) continue;
      s.durationMs = (msOf(m.testCaseFinished.timestamp) ?? 0) - (s.startedAt ?? 0);
      if (m.testCaseFinished.willBeRetried) {
        started.delete(s.id);
        order.splice(order.indexOf(s.id), 1);
      }
    }
  }
  run.scenarios = order.map((id) => {
    const { stepIndex: _drop, ...s } = started.get(id)!;
    return s;
  });
  return { ...run, badLines };
}
