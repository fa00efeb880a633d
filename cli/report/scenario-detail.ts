import { stringify } from 'yaml';
import { gzipSync } from 'node:zlib';
import type { Verdict } from '../../simulators/conformance/verdict.ts';
import { chartSvg, esc } from './chart.ts';
import { conversations } from './conversation.ts';
import type { AssociationChart, ChartRow, Fold } from './conversation.ts';
import { failureText } from './model.ts';
import type { ReportScenario } from './model.ts';

/** What the page needs to open one message: its lines, identifier and PDUs (with their bytes and fields). */
type RowData = Pick<ChartRow, 'title' | 'sub' | 'side' | 'lines' | 'attrs' | 'attrsError' | 'pdus' | 't' | 'from'> | { fold: true; title: string; rows: Pick<ChartRow, 't' | 'from' | 'title' | 'sub' | 'side'>[]; omitted: number };

/** The body of one scenario, packed for the page: HTML and row data gzipped and base64-encoded, unpacked when opened. */
export interface PackedScenario {
  /** gzip+base64 of JSON {html, charts: RowData[][]}. */
  packed: string;
  /** Which chart and row a failed scenario opens at. */
  open: { chart: number; row: number } | undefined;
}

export function packScenario(s: ReportScenario, mode: string): PackedScenario {
  const charts = s.traffic ? conversations(s.traffic) : [];
  const parts: string[] = [];
  parts.push(stepsHtml(s));
  if (s.verdicts.length) parts.push(`<section class="verdicts">${s.verdicts.map(verdictHtml).join('')}</section>`);
  if (s.findings.length) parts.push(`<section class="findings"><h4>Findings</h4><ul>${s.findings.map((f) => `<li>${esc(f)}</li>`).join('')}</ul></section>`);
  for (const n of s.notes) parts.push(`<section class="note"><h4>${esc(n.name)}</h4><pre>${esc(n.text.slice(0, 4000))}</pre></section>`);
  const labels = laneLabels(mode);
  const failed = s.outcome === 'fail' || s.outcome === 'error';
  const chartIndex = failed ? decisiveChart(charts) : -1;
  charts.forEach((c, i) => {
    const who = c.ours === 'both' ? 'both ends are this harness' : c.ours === 'requestor' ? 'this harness requested the association' : 'this harness accepted the association';
    parts.push(`<section class="chart" data-chart="${i}"><h4>Association ${i + 1}: ${esc(c.requestor)} → ${esc(c.acceptor)} <span class="dim">(${who}; click a message for its fields and bytes)</span></h4>${chartSvg(c, c.ours === 'acceptor' ? { requestor: labels.peer, acceptor: 'SCP · this harness' } : labels, i === chartIndex)}<div class="detail" hidden></div></section>`);
  });
  if (s.traffic && (s.traffic.omitted.pduBytes || s.traffic.omitted.dataSets)) {
    parts.push(`<p class="dim">The record keeps the first and last messages of each association in full; ${s.traffic.omitted.pduBytes.toLocaleString('en')} PDU(s) and ${s.traffic.omitted.dataSets.toLocaleString('en')} identifier(s) in the middle are summarised (time, command, status).</p>`);
  }
  if (!charts.length) parts.push('<p class="dim">No DICOM traffic in this scenario.</p>');
  const why = failed ? s.verdicts.filter((v) => v.verdict === 'fail' || v.verdict === 'error').map((v) => `${v.id}: ${v.summary}${v.evidence.difference?.length ? ` — ${v.evidence.difference.slice(0, 3).join('; ')}` : ''}${v.rules.length ? ` [${v.rules.join('; ')}]` : ''}`) : [];
  if (failed && !why.length) {
    const step = s.steps.find((x) => x.status === 'FAILED');
    if (step) why.push(`${step.keyword} ${step.text}: ${failureText(step.message).split('\n').slice(0, 4).join(' ')}`);
  }
  const data = { html: parts.join(''), charts: charts.map(rowData), why };
  return { packed: gzipSync(JSON.stringify(data), { level: 9 }).toString('base64'), open: chartIndex >= 0 ? { chart: chartIndex, row: charts[chartIndex]!.decisive! } : undefined };
}

function laneLabels(mode: string): { requestor: string; acceptor: string; peer: string } {
  if (mode === 'archive under test') return { requestor: 'SCU · this harness', acceptor: 'SCP · under test', peer: 'SCU' };
  if (mode === 'client under test') return { requestor: 'SCU · under test', acceptor: 'SCP · this harness', peer: 'SCU · under test' };
  return { requestor: 'SCU', acceptor: 'SCP', peer: 'SCU' };
}

/** The chart with a failure in it, else the last one. */
function decisiveChart(charts: AssociationChart[]): number {
  const i = charts.findIndex((c) => c.items.some((x) => !('fold' in x) && x.tone === 'fail'));
  if (i >= 0) return i;
  const w = charts.findIndex((c) => c.items.some((x) => !('fold' in x) && x.tone === 'warn'));
  return w >= 0 ? w : charts.length - 1;
}

function rowData(c: AssociationChart): RowData[] {
  return c.items.map((x): RowData => {
    if ('fold' in x) return { fold: true, title: (x as Fold).title, rows: x.rows.map((r) => ({ t: r.t, from: r.from, title: r.title, ...(r.sub && { sub: r.sub }), ...(r.side && { side: r.side }) })), omitted: x.omitted };
    const { key: _k, tone: _t, ...rest } = x;
    return rest;
  });
}

const STATUS_CLASS: Record<string, string> = { PASSED: 'pass', FAILED: 'fail', SKIPPED: 'na', UNDEFINED: 'error', AMBIGUOUS: 'error', PENDING: 'error', UNKNOWN: 'na' };

function stepsHtml(s: ReportScenario): string {
  const rows = s.steps.map((st) => {
    const error = st.status === 'FAILED' ? `<pre class="error">${esc(failureText(st.message))}</pre>` : st.status === 'UNDEFINED' ? '<pre class="error">no step definition matches this step</pre>' : '';
    const arg = st.argument ? `<pre class="arg">${esc(st.argument)}</pre>` : '';
    return `<li class="s-${STATUS_CLASS[st.status] ?? 'na'}"><span class="kw">${esc(st.keyword)}</span> ${esc(st.text)}<span class="ms">${st.durationMs >= 1 ? `${Math.round(st.durationMs)} ms` : ''}</span>${arg}${error}</li>`;
  });
  return `<ol class="steps">${rows.join('')}</ol>`;
}

function evidenceBlock(name: string, value: unknown): string {
  if (value === undefined || (Array.isArray(value) && !value.length)) return '';
  const text = typeof value === 'string' ? value : Array.isArray(value) && value.every((x) => typeof x === 'string') ? value.join('\n') : stringify(value, { lineWidth: 0 }).trimEnd();
  return `<div class="ev"><h5>${esc(name)}</h5><pre>${esc(text.length > 6000 ? `${text.slice(0, 6000)}\n…` : text)}</pre></div>`;
}

function verdictHtml(v: Verdict): string {
  const obs = v.observations.map((o) => `<li><span class="rule">${esc(o.rule)}</span> ${esc(o.text)}${o.checklist?.length ? ` <span class="dim">checklist ${o.checklist.join(', ')}</span>` : ''}</li>`).join('');
  const e = v.evidence;
  return `<div class="verdict v-${v.verdict.replace('/', '')}" id="check-${esc(v.id)}"><div class="vh"><span class="badge b-${v.verdict.replace('/', '')}">${esc(v.verdict)}</span> <b>${esc(v.id)}</b> ${esc(v.title)}</div><p>${esc(v.summary)}</p>${v.rules.length ? `<p class="dim">Rules: ${esc(v.rules.join('; '))}${v.checklist.length ? ` · checklist ${v.checklist.join(', ')}` : ''}</p>` : ''}${obs ? `<ul class="obs">${obs}</ul>` : ''}<div class="evidence">${evidenceBlock('Negotiated', e.negotiation)}${evidenceBlock('Sent', e.sent)}${evidenceBlock('Received', e.received)}${evidenceBlock('Due (what the standard and the data set allow)', e.due)}${evidenceBlock('Difference', e.difference)}${evidenceBlock('Notes', e.notes)}</div></div>`;
}
