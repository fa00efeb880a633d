/**
 * What a conformance check concludes (PS3.4/3.7/3.8 read as a vendor would be judged): pass, fail
 * (a mandatory rule broken), finding (a choice the standard leaves open, or a permitted
 * variation), n/a (the system under test did not accept what the check needs) or error (the
 * harness could not judge) — always with the rules and the evidence.
 */
export type VerdictKind = 'pass' | 'fail' | 'finding' | 'n/a' | 'error';

export const VERDICT_KINDS: readonly VerdictKind[] = ['pass', 'fail', 'finding', 'n/a', 'error'];

/** One broken rule, or one open choice made, in words, with the rule that says so. */
export interface Observation {
  rule: string;
  text: string;
  /** A short stable name, for comparing runs (e.g. "zero-length-required-key"). */
  code: string;
  checklist?: number[];
}

export interface Evidence {
  /** What the association agreed that the check depends on. */
  negotiation?: Record<string, unknown>;
  /** What the harness sent. */
  sent?: Record<string, unknown>;
  /** What came back. */
  received?: Record<string, unknown>;
  /** What the standard and the data set allow. */
  due?: Record<string, unknown>;
  /** The difference, line by line. */
  difference?: string[];
  notes?: string[];
}

export interface Verdict {
  /** Stable identity of the check (e.g. "QR-14", "cancel.during-stream"). */
  id: string;
  title: string;
  verdict: VerdictKind;
  /** Sections of the standard the check applies. */
  rules: string[];
  /** Items of the conformance checklist it proves. */
  checklist: number[];
  /** One line: what was seen. */
  summary: string;
  /** Broken rules (fail), open choices (finding), or causes (error / n/a). */
  observations: Observation[];
  evidence: Evidence;
  /** Where the check ran (the feature's scenario), when run from the suite. */
  scenario?: { name: string; uri?: string; line?: number };
  at: string;
  durationMs?: number;
}

export interface VerdictInput {
  id: string;
  title: string;
  rules: readonly string[];
  checklist: readonly number[];
  evidence?: Evidence;
}

/** A verdict from what a check saw: fails make it fail, otherwise open choices make it a finding. */
export function conclude(input: VerdictInput, fails: Observation[], choices: Observation[] = [], pass = 'as the standard requires'): Verdict {
  const verdict: VerdictKind = fails.length ? 'fail' : choices.length ? 'finding' : 'pass';
  const shown = fails.length ? fails : choices;
  return {
    id: input.id,
    title: input.title,
    verdict,
    rules: unique([...input.rules, ...shown.map((o) => o.rule)]),
    checklist: unique([...input.checklist, ...shown.flatMap((o) => o.checklist ?? [])]).sort((a, b) => a - b),
    summary: shown.length ? shown.map((o) => o.text).join('; ') : pass,
    observations: shown,
    evidence: input.evidence ?? {},
    at: new Date().toISOString(),
  };
}

/** The harness could not judge (unreachable, census mismatch, our own fault), or the check does not apply. */
export function unjudged(input: VerdictInput, verdict: 'error' | 'n/a', cause: Observation): Verdict {
  return {
    id: input.id,
    title: input.title,
    verdict,
    rules: unique([...input.rules]),
    checklist: [...input.checklist],
    summary: cause.text,
    observations: [cause],
    evidence: input.evidence ?? {},
    at: new Date().toISOString(),
  };
}

/** What two runs compare: the verdict and, for fails and findings, which rules or choices (not the wording). */
export function signature(v: Verdict): string {
  if (v.verdict === 'pass') return 'pass';
  return `${v.verdict}: ${unique(v.observations.map((o) => o.code)).sort().join(', ')}`;
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}
