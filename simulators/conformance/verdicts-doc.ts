import type { Verdict, VerdictKind } from './verdict.ts';
import { VERDICT_KINDS } from './verdict.ts';

/** reports/verdicts.json: the run, the system under test, the data set, counts and every check. */
export interface VerdictsDoc {
  product: { name: string; version: string };
  run: { mode: 'self' | 'archive under test' | 'client under test'; startedAt: string; finishedAt: string; durationMs: number; interrupted: boolean; tags?: string };
  target?: {
    host: string;
    port: number;
    aeTitle: string;
    callingAeTitle: string;
    implementationClassUid?: string;
    implementationVersionName?: string;
    models?: string[];
  };
  /** The query client under test (`--target-scu`): its command, or none when it connected by itself. */
  client?: { command?: string; callingAeTitle: string; waitSeconds?: number };
  dataSet: { paths: string[]; load?: unknown; census?: unknown };
  summary: Record<VerdictKind, number> & { total: number };
  checks: Verdict[];
}

export function countVerdicts(checks: readonly Verdict[]): VerdictsDoc['summary'] {
  const s = Object.fromEntries(VERDICT_KINDS.map((k) => [k, 0])) as Record<VerdictKind, number>;
  for (const c of checks) s[c.verdict]++;
  return { ...s, total: checks.length };
}

/** Reads verdicts written one JSON line each; a line cut short by an interruption is skipped. The last verdict of an id wins. */
export function parseVerdictLines(text: string): Verdict[] {
  const byId = new Map<string, Verdict>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as Verdict;
      byId.set(v.id, v);
    } catch {
      // an unfinished last line: the run was interrupted while writing it
    }
  }
  return [...byId.values()];
}

/** 0 nothing failed (findings allowed), 1 a check failed, 2 the run was cut short or something could not be judged. */
export function exitCodeOf(doc: Pick<VerdictsDoc, 'summary' | 'run'>): number {
  if (doc.run.interrupted || doc.summary.total === 0) return 2;
  if (doc.summary.fail > 0) return 1;
  if (doc.summary.error > 0) return 2;
  return 0;
}
