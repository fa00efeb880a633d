import { esc } from './chart.ts';
import { conversations } from './conversation.ts';
import { failureText } from './model.ts';
import type { ReportModel, ReportScenario } from './model.ts';

/** XML text: escaped, and stripped of characters XML 1.0 cannot carry. */
const x = (s: string) => esc(s.replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '�'));

/** The exchange a failed scenario turned on, in words: the decisive message and the request it answered. */
export function decisiveExchange(s: ReportScenario): string | undefined {
  if (!s.traffic) return undefined;
  for (const c of conversations(s.traffic)) {
    if (c.decisive === undefined) continue;
    const row = c.items[c.decisive]!;
    if ('fold' in row) continue;
    if (row.tone !== 'fail' && row.tone !== 'warn') continue;
    const side = row.from === 'L' ? `${c.requestor} → ${c.acceptor}` : row.from === 'R' ? `${c.acceptor} → ${c.requestor}` : 'between the peers';
    return `${row.title}${row.sub ? ` (${row.sub})` : ''}, ${side}, at ${row.t.toFixed(1)} ms`;
  }
  return undefined;
}

/** The failure of a scenario as one paragraph: the rule, what was seen, and the decisive exchange. */
export function failureParagraph(s: ReportScenario): string {
  const failed = s.verdicts.filter((v) => v.verdict === 'fail' || v.verdict === 'error');
  const parts: string[] = [];
  for (const v of failed) parts.push(`${v.id} ${v.verdict}: ${v.summary}${v.rules.length ? ` (rules: ${v.rules.join('; ')})` : ''}.`);
  if (!failed.length) {
    const step = s.steps.find((st) => st.status === 'FAILED' || st.status === 'UNDEFINED' || st.status === 'AMBIGUOUS');
    if (step) parts.push(`The step "${step.keyword} ${step.text}" ${step.status === 'FAILED' ? `failed: ${failureText(step.message).replace(/\s*\n\s*/g, ' ')}` : `is ${step.status.toLowerCase()}`}.`);
    else parts.push(`The scenario ended ${s.status.toLowerCase()}.`);
  }
  const ex = decisiveExchange(s);
  if (ex) parts.push(`Decisive exchange: ${ex}.`);
  return parts.join(' ');
}

/** JUnit XML: one testsuite per feature, one testcase per scenario with its verdict and checklist items as properties and its findings in system-out. */
export function junitXml(m: ReportModel): string {
  const byFeature = new Map<string, ReportScenario[]>();
  for (const s of m.scenarios) byFeature.set(s.uri, [...(byFeature.get(s.uri) ?? []), s]);
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  for (const list of byFeature.values()) {
    const cases = list.map((s) => {
      tests++;
      const props = [['verdict', s.outcome], ['checklist', s.checklist.join(',')], ['tags', s.tags.join(' ')], ['location', `${s.uri}${s.line ? `:${s.line}` : ''}`], ...s.verdicts.map((v) => [`check ${v.id}`, v.verdict])].filter(([, v]) => v !== '');
      const out = [...s.verdicts.filter((v) => v.verdict !== 'fail').map((v) => `${v.verdict.toUpperCase()} ${v.id}: ${v.summary}${v.rules.length ? ` [${v.rules.join('; ')}]` : ''}`), ...s.findings.map((f) => `FINDING: ${f}`)];
      let body = `<properties>${props.map(([k, v]) => `<property name="${x(k!)}" value="${x(v!)}"/>`).join('')}</properties>`;
      if (s.outcome === 'fail' || s.outcome === 'error') {
        failures++;
        const p = failureParagraph(s);
        body += `<failure message="${x(p)}" type="${s.outcome}">${x(p)}</failure>`;
      } else if (s.outcome === 'n/a') {
        skipped++;
        body += `<skipped message="${x(s.verdicts.map((v) => v.summary).join('; ') || 'skipped')}"/>`;
      }
      if (out.length) body += `<system-out>${x(out.join('\n'))}</system-out>`;
      return `<testcase classname="${x(s.feature)}" name="${x(s.name)}" time="${(s.durationMs / 1000).toFixed(3)}">${body}</testcase>`;
    });
    const f = list[0]!;
    const nFail = list.filter((s) => s.outcome === 'fail' || s.outcome === 'error').length;
    const nSkip = list.filter((s) => s.outcome === 'n/a').length;
    const time = list.reduce((t, s) => t + s.durationMs, 0) / 1000;
    suites.push(`<testsuite name="${x(f.feature)}" tests="${list.length}" failures="${nFail}" skipped="${nSkip}" errors="0" time="${time.toFixed(3)}" file="${x(f.uri)}">\n${cases.join('\n')}\n</testsuite>`);
  }
  // Checks reached before the suite ran (reachability, load, census) belong to no scenario.
  const inScenarios = new Set(m.scenarios.flatMap((s) => s.verdicts.map((v) => v.id)));
  const before = m.checks.filter((c) => !inScenarios.has(c.id));
  if (before.length) {
    const cases = before.map((c) => {
      tests++;
      const bad = c.verdict === 'fail' || c.verdict === 'error';
      if (bad) failures++;
      if (c.verdict === 'n/a') skipped++;
      const p = `${c.id} ${c.verdict}: ${c.summary}${c.rules.length ? ` (rules: ${c.rules.join('; ')})` : ''}.`;
      return `<testcase classname="Before the suite" name="${x(`${c.id}: ${c.title}`)}" time="${((c.durationMs ?? 0) / 1000).toFixed(3)}"><properties><property name="verdict" value="${x(c.verdict)}"/></properties>${bad ? `<failure message="${x(p)}" type="${c.verdict}">${x(p)}</failure>` : c.verdict === 'n/a' ? `<skipped message="${x(c.summary)}"/>` : ''}<system-out>${x(p)}</system-out></testcase>`;
    });
    suites.unshift(`<testsuite name="Before the suite" tests="${before.length}" failures="${before.filter((c) => c.verdict === 'fail' || c.verdict === 'error').length}" skipped="${before.filter((c) => c.verdict === 'n/a').length}" errors="0">\n${cases.join('\n')}\n</testsuite>`);
  }
  const name = `${m.product.name} conformance${m.target ? ` — ${m.target.aeTitle} at ${m.target.host}:${m.target.port}` : m.runs ? ` — ${m.runs.length} runs: ${m.runs.map((r) => r.label.replace(/^run \d+: /, '')).join(', ')}` : ' (self run)'}`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${x(name)}" tests="${tests}" failures="${failures}" skipped="${skipped}" errors="0" time="${((m.durationMs ?? 0) / 1000).toFixed(3)}">\n${suites.join('\n')}\n</testsuites>\n`;
}
