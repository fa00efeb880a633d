import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import type { Verdict, VerdictKind } from './verdict.ts';
import { VERDICT_KINDS } from './verdict.ts';
import { HarnessError } from '../wire/errors.ts';

/**
 * An expected-verdicts file: what a known peer (dcmqrscp 3.6.7, Orthanc 1.10.1, our own SCP)
 * answers, check by check — the verdict and, for a fail or a finding, which rules or choices —
 * with why, in words. A run compared with it must match exactly: a new fail, a fail gone, a
 * changed finding or a check that appeared or disappeared is a difference.
 */
export interface ExpectedEntry {
  verdict: VerdictKind;
  /** The observation codes of a fail or a finding (sorted). */
  codes?: string[];
  why?: string;
}

export interface ExpectedFile {
  peer: string;
  notes?: string;
  checks: Record<string, ExpectedEntry>;
}

export class ExpectedFileError extends HarnessError {
  readonly code = 'EXPECTED_FILE_INVALID';
}

export function readExpected(file: string): ExpectedFile {
  let doc: ExpectedFile;
  try {
    doc = parse(readFileSync(file, 'utf8')) as ExpectedFile;
  } catch (e) {
    throw new ExpectedFileError(`${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!doc || typeof doc.checks !== 'object') throw new ExpectedFileError(`${file}: no "checks" mapping`);
  for (const [id, e] of Object.entries(doc.checks)) {
    const entry = typeof e === 'string' ? { verdict: e as VerdictKind } : e;
    if (!VERDICT_KINDS.includes(entry.verdict)) throw new ExpectedFileError(`${file}: ${id}: "${entry.verdict}" is not a verdict (${VERDICT_KINDS.join(', ')})`);
    doc.checks[id] = entry;
  }
  return doc;
}

function codesOf(v: Verdict): string[] {
  return [...new Set(v.observations.map((o) => o.code))].sort();
}

/** The differences between a run and the expected file, one line each (empty when they agree). */
export function compareWithExpected(checks: readonly Verdict[], expected: ExpectedFile): string[] {
  const out: string[] = [];
  const ran = new Map(checks.map((c) => [c.id, c]));
  for (const c of checks) {
    const e = expected.checks[c.id];
    if (!e) {
      out.push(`${c.id}: ${c.verdict} (${codesOf(c).join(', ') || c.summary}) — not in the expected file`);
      continue;
    }
    if (e.verdict !== c.verdict) {
      out.push(`${c.id}: ${c.verdict}, expected ${e.verdict} — ${c.summary}`);
      continue;
    }
    if (c.verdict === 'fail' || c.verdict === 'finding') {
      const got = codesOf(c);
      const want = [...(e.codes ?? [])].sort();
      if (got.join(',') !== want.join(',')) out.push(`${c.id}: ${c.verdict} for [${got.join(', ')}], expected [${want.join(', ')}] — ${c.summary}`);
    }
  }
  for (const [id, e] of Object.entries(expected.checks)) if (!ran.has(id)) out.push(`${id}: expected ${e.verdict}, not run`);
  return out;
}

/** Writes the file from a run, keeping the `why` of entries whose verdict and codes did not change. */
export function writeExpected(file: string, peer: string, checks: readonly Verdict[]): void {
  const old = existsSync(file) ? readExpected(file) : undefined;
  const entries: Record<string, ExpectedEntry | VerdictKind> = {};
  for (const c of [...checks].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }))) {
    const codes = c.verdict === 'fail' || c.verdict === 'finding' ? codesOf(c) : undefined;
    const before = old?.checks[c.id];
    const same = before && before.verdict === c.verdict && (before.codes ?? []).join(',') === (codes ?? []).join(',');
    const why = same ? before.why : undefined;
    entries[c.id] = !codes && !why ? c.verdict : { verdict: c.verdict, ...(codes && { codes }), ...(why && { why }) };
  }
  const doc = { peer: old?.peer ?? peer, ...(old?.notes && { notes: old.notes }), checks: entries };
  writeFileSync(file, stringify(doc, { lineWidth: 120 }));
}
