import { LineTail } from './line-tail.ts';

/** A scenario that ended badly, in a few lines (never its attachments). */
export interface ScenarioFailure {
  name: string;
  where: string;
  step: string;
  message: string;
}

export interface SuiteProgress {
  total: number;
  done: number;
  failed: number;
  /** The theme (folder under features/) of the scenario running now. */
  theme: string | undefined;
  scenario: string | undefined;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- cucumber's envelopes, read field by field */
type Envelope = Record<string, any>;

/**
 * Follows cucumber's message stream while the suite runs: how many scenarios there are, how many
 * ended, which theme runs now, and each scenario that failed (its failing step and message).
 */
export class MessageTail {
  private readonly tail: LineTail;
  private readonly pickles = new Map<string, { name: string; uri: string }>();
  private readonly cases = new Map<string, string>();
  private readonly started = new Map<string, { pickle: string; failed?: { step: string; message: string } }>();
  private readonly steps = new Map<string, string>();
  readonly progress: SuiteProgress = { total: 0, done: 0, failed: 0, theme: undefined, scenario: undefined };

  constructor(
    file: string,
    private readonly onFailure: (f: ScenarioFailure) => void,
  ) {
    this.tail = new LineTail(file, (l) => this.take(l));
  }

  poll(): void {
    this.tail.poll();
  }

  private take(line: string): void {
    // Attachments can be large and tell progress nothing: skip them unparsed.
    if (line.startsWith('{"attachment"')) return;
    let m: Envelope;
    try {
      m = JSON.parse(line) as Envelope;
    } catch {
      return;
    }
    if (m.pickle) {
      this.pickles.set(m.pickle.id, { name: m.pickle.name, uri: m.pickle.uri });
      for (const s of m.pickle.steps) this.steps.set(s.id, s.text);
    } else if (m.testCase) {
      this.cases.set(m.testCase.id, m.testCase.pickleId);
      for (const s of m.testCase.testSteps) if (s.pickleStepId) this.steps.set(s.id, this.steps.get(s.pickleStepId) ?? '');
      this.progress.total++;
    } else if (m.testCaseStarted) {
      const pickle = this.cases.get(m.testCaseStarted.testCaseId) ?? '';
      this.started.set(m.testCaseStarted.id, { pickle });
      const p = this.pickles.get(pickle);
      this.progress.scenario = p?.name;
      this.progress.theme = /features\/([^/]+)\//.exec(p?.uri ?? '')?.[1];
    } else if (m.testStepFinished) {
      const f = m.testStepFinished;
      const s = this.started.get(f.testCaseStartedId);
      const r = f.testStepResult;
      if (s && !s.failed && (r.status === 'FAILED' || r.status === 'UNDEFINED' || r.status === 'AMBIGUOUS')) {
        s.failed = { step: this.steps.get(f.testStepId) ?? '(a hook)', message: r.status === 'FAILED' ? (r.message ?? '') : `the step is ${r.status.toLowerCase()}` };
      }
    } else if (m.testCaseFinished) {
      const s = this.started.get(m.testCaseFinished.testCaseStartedId);
      if (m.testCaseFinished.willBeRetried) return;
      this.progress.done++;
      if (s?.failed) {
        this.progress.failed++;
        const p = this.pickles.get(s.pickle);
        this.onFailure({ name: p?.name ?? '?', where: p?.uri ?? '?', step: s.failed.step, message: s.failed.message });
      }
    }
  }
}

/** A failure's message without its stack, at most `lines` lines. */
export function boundedMessage(message: string, lines = 6): string {
  const all = message.split('\n');
  const stack = all.findIndex((l) => /^\s+at /.test(l));
  const kept = (stack >= 0 ? all.slice(0, stack) : all).filter((l) => l.trim());
  return kept.length > lines ? [...kept.slice(0, lines), `… (${kept.length - lines} more lines in the report)`].join('\n') : kept.join('\n');
}
