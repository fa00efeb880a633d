import type { Observation } from './verdict.ts';

/**
 * What the SCU noticed on the wire for each response (FindResponse.problems) as observations
 * with a rule and a stable code. The texts carry their rule in parentheses.
 */
const CODES: readonly [RegExp, string][] = [
  [/carries an Identifier/, 'identifier-on-final'],
  [/Pending response without an Identifier/, 'pending-without-identifier'],
  [/Affected SOP Class UID .* differs/, 'wrong-sop-class'],
  [/belongs to no status class/, 'unknown-status'],
  [/without a Status/, 'status-missing'],
  [/answers a C-FIND-RQ/, 'wrong-command'],
  [/Error Comment/, 'error-comment-invalid'],
  [/cannot be decoded/, 'identifier-undecodable'],
  [/Specific Character Set/, 'charset-invalid'],
  [/Command Group Length/, 'command-group-length'],
  [/outside group 0000|ascending tag order|odd value length|needs \d/, 'command-encoding'],
  [/no Command Field|no Command Data Set Type/, 'command-incomplete'],
  [/message control header|PDV|fragment/, 'pdv-rule'],
];

export const WIRE_CODES: ReadonlySet<string> = new Set([...CODES.map(([, c]) => c), 'wire-rule']);

const RULE = /\((PS3\.\d+ [A-Z]?[0-9][0-9.\-A-Za-z]*)/;

export function wireObservation(text: string): Observation {
  const code = CODES.find(([re]) => re.test(text))?.[1] ?? 'wire-rule';
  const rule = RULE.exec(text)?.[1] ?? 'PS3.7 9.1.2';
  return { rule, text, code };
}

/** The same breach in several responses is one observation, naming the responses. */
export function collectWireProblems(perResponse: { index: number; problems: readonly string[] }[]): Observation[] {
  const byText = new Map<string, number[]>();
  for (const r of perResponse) {
    for (const p of r.problems) {
      const list = byText.get(p) ?? [];
      list.push(r.index);
      byText.set(p, list);
    }
  }
  return [...byText].map(([text, where]) => {
    const o = wireObservation(text);
    return { ...o, text: `${text} — response${where.length > 1 ? 's' : ''} ${summariseIndexes(where)}` };
  });
}

function summariseIndexes(xs: number[]): string {
  if (xs.length <= 6) return xs.join(', ');
  return `${xs.slice(0, 5).join(', ')} … and ${xs.length - 5} more`;
}
