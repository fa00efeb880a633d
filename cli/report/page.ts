import { VERDICT_KINDS } from '../../simulators/conformance/verdict.ts';
import type { VerdictKind } from '../../simulators/conformance/verdict.ts';
import { esc } from './chart.ts';
import type { ChecklistView } from './checklist-view.ts';
import type { ReportModel, ReportScenario } from './model.ts';
import { PAGE_SCRIPT, PAGE_STYLE } from './page-assets.ts';
import { packScenario } from './scenario-detail.ts';

const cls = (v: VerdictKind) => v.replace('/', '');
const badge = (v: VerdictKind) => `<span class="badge b-${cls(v)}">${esc(v)}</span>`;
const ms = (n: number | undefined) => (n === undefined ? '?' : n >= 60_000 ? `${Math.floor(n / 60_000)} min ${Math.round((n % 60_000) / 1000)} s` : `${(n / 1000).toFixed(1)} s`);

/** The whole report as one self-contained HTML page (no network: style, script and data inline). */
export function reportPage(m: ReportModel, checklist: ChecklistView | undefined): string {
  const title = `${m.product.name} ${m.mode === 'self' ? 'self run' : `— ${m.target?.aeTitle ?? (m.runs ? `${m.runs.length} runs` : m.mode)}`}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · conformance report</title>
<style>${PAGE_STYLE}</style></head>
<body>
<header>${headerHtml(m)}</header>
<nav class="toolbar"><input id="search" type="search" placeholder="Search scenarios, checks, rules, tags…" aria-label="search">
<select id="f-verdict" aria-label="verdict filter"><option value="">every verdict</option>${VERDICT_KINDS.map((v) => `<option value="${cls(v)}">${v}</option>`).join('')}<option value="problem">fail, error or finding</option></select>
<select id="f-theme" aria-label="theme filter"><option value="">every theme</option>${m.themes.map((t) => `<option>${esc(t)}</option>`).join('')}</select>
<input id="f-checklist" type="number" min="1" placeholder="checklist #" aria-label="checklist item filter">
<span id="shown" class="dim"></span></nav>
<main>
${summaryHtml(m)}
${headlinesHtml(m)}
${checklist ? checklistHtml(m, checklist) : ''}
<section id="scenarios"><h2>Scenarios</h2>${featureGroups(m, new Map((checklist?.items ?? []).map((i) => [i.number, i.title])))}</section>
</main>
<footer class="dim">${esc(m.product.name)} ${esc(m.product.version)}${m.product.commit ? ` (${esc(m.product.commit.slice(0, 12))})` : ''} · built from the run's message stream${m.interrupted ? ' · <b>the run was interrupted</b>' : ''}</footer>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}

function headerHtml(m: ReportModel): string {
  const rows: [string, string][] = [
    ['Mode', m.mode],
    ['Started', m.startedAt ? new Date(m.startedAt).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : 'unknown'],
    ['Duration', ms(m.durationMs)],
  ];
  const t = m.target;
  // Merged runs that judged different systems name each; runs of one system list their parts.
  if (m.runs) rows.push([t || m.client || m.mode === 'self' ? 'Runs' : 'Systems under test', `${m.runs.length} runs: ${m.runs.map((r) => r.label.replace(/^run \d+: /, '')).join(', ')}`]);
  if (t) {
    rows.push(['System under test', `${t.aeTitle} at ${t.host}:${t.port} (called by ${t.callingAeTitle})`]);
    rows.push(['Implementation', `${t.implementationClassUid ?? '(no class UID)'}${t.implementationVersionName ? ` "${t.implementationVersionName}"` : ''}`]);
    if (t.models) rows.push(['FIND models accepted', t.models.join(', ') || 'none']);
  } else if (m.client) {
    rows.push(['Client under test', m.client.command ? `the command ${m.client.command}` : `the client that connected within ${m.client.waitSeconds ?? '?'} s`]);
    rows.push(['Asked to call itself', m.client.callingAeTitle]);
  } else if (m.mode === 'self') rows.push(['System under test', "this harness's own SCP (our SCU against our SCP)"]);
  if (m.dataSet) rows.push(['Data set', m.dataSet.paths.map((p) => p.replace(/^.*\/(scenarios|features)\//, '$1/')).join(', ')]);
  if (m.tags) rows.push(['Tags', m.tags]);
  return `<h1>${esc(m.product.name)} <span class="dim">${esc(m.product.version)}${m.product.commit ? ` · ${esc(m.product.commit.slice(0, 12))}` : ''}</span></h1>
<p class="lede">DICOM Query/Retrieve Find conformance report${m.interrupted ? ' — <b class="warn">interrupted: only the scenarios that ran are shown</b>' : ''}</p>
<dl class="facts">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

function summaryHtml(m: ReportModel): string {
  const c = m.checkCounts;
  const o = m.outcomeCounts;
  const tiles = VERDICT_KINDS.map((v) => `<div class="tile b-${cls(v)}" data-count="${cls(v)}"><span class="n">${c[v]}</span><span>${esc(v)}</span></div>`).join('');
  const head = `<tr><th>theme</th>${VERDICT_KINDS.map((v) => `<th>${esc(v)}</th>`).join('')}</tr>`;
  const body = m.themes.map((t) => `<tr><th><a href="#" data-theme="${esc(t)}">${esc(t)}</a></th>${VERDICT_KINDS.map((v) => `<td class="${m.matrix[t]![v] ? `c-${cls(v)}` : 'zero'}">${m.matrix[t]![v] || ''}</td>`).join('')}</tr>`).join('');
  return `<section id="summary"><h2>Summary</h2>
<p><b id="check-total">${c.total}</b> checks reached a verdict:</p><div class="tiles">${tiles}</div>
<p class="dim" id="scenario-counts">${o.total} scenarios: ${VERDICT_KINDS.filter((v) => o[v]).map((v) => `${o[v]} ${v}`).join(', ')} (a scenario without checks counts by how it ran; its findings make it a finding).</p>
<table class="matrix"><caption>Scenarios by theme and verdict</caption>${head}${body}</table></section>`;
}

function headlinesHtml(m: ReportModel): string {
  if (!m.headlines.length) return '<section id="headlines"><h2>Fails and findings</h2><p>None: every check passed.</p></section>';
  const rows = m.headlines.map((h) => `<tr class="h-${cls(h.verdict)}" data-theme="${esc(h.theme)}"><td>${badge(h.verdict)}</td><td>${h.anchor ? `<a href="#${esc(h.anchor)}" data-open="${esc(h.anchor)}">${esc(h.id)}</a>` : esc(h.id)}<div class="dim">${esc(h.title)}</div></td><td class="rules">${esc(h.rules.join('; '))}</td><td>${esc(h.seen)}</td></tr>`).join('');
  return `<section id="headlines"><h2>Fails and findings <span class="dim">(${m.headlines.length})</span></h2><table class="list"><tr><th>verdict</th><th>check</th><th>rule</th><th>what was seen</th></tr>${rows}</table></section>`;
}

function checklistHtml(m: ReportModel, c: ChecklistView): string {
  let covered = 0;
  const rows = c.items.map((item) => {
    const scenarios = m.byChecklist.get(item.number) ?? [];
    if (scenarios.length) covered++;
    const cell = scenarios.length
      ? scenarios.map((s) => `<a href="#${esc(s.anchor)}" data-open="${esc(s.anchor)}" class="chip c-${cls(s.outcome)}" title="${esc(`${s.feature}: ${s.name}`)}">${esc(s.outcome)} · ${esc(s.name.length > 48 ? `${s.name.slice(0, 47)}…` : s.name)}</a>`).join(' ')
      : `<span class="dim">not covered${c.uncoveredWhy.get(item.number) ? `: ${esc(c.uncoveredWhy.get(item.number)!)}` : m.scenarios.length ? '' : ' in this run'}</span>`;
    const outcome = scenarios.length ? scenarios.reduce<VerdictKind>((w, s) => (['pass', 'n/a', 'finding', 'error', 'fail'].indexOf(s.outcome) > ['pass', 'n/a', 'finding', 'error', 'fail'].indexOf(w) ? s.outcome : w), 'pass') : undefined;
    return `<tr data-item="${item.number}" class="${scenarios.length ? '' : 'uncovered'}"><td>${item.number}</td><td>${outcome ? badge(outcome) : ''}</td><td><b>${esc(item.title)}</b>${item.implementationDefined ? ' <span class="id">[ID]</span>' : ''}<div class="dim">${esc(item.section)}</div></td><td>${cell}</td></tr>`;
  });
  return `<section id="checklist"><details><summary><h2>Checklist coverage <span class="dim">(${covered} of ${c.items.length} items covered in this run)</span></h2></summary>
<table class="list checklist"><tr><th>#</th><th>verdict</th><th>item</th><th>covered by</th></tr>${rows.join('')}</table></details></section>`;
}

function featureGroups(m: ReportModel, titles: Map<number, string>): string {
  const byFeature = new Map<string, ReportScenario[]>();
  for (const s of m.scenarios) byFeature.set(s.uri, [...(byFeature.get(s.uri) ?? []), s]);
  const out: string[] = [];
  for (const list of byFeature.values()) {
    const f = list[0]!;
    out.push(`<section class="feature" data-theme="${esc(f.theme)}"><h3>${esc(f.feature)} <span class="dim">${esc(f.theme)} · ${esc(f.uri)}</span></h3>${list.map((s) => scenarioHtml(s, m.mode, titles)).join('')}</section>`);
  }
  return out.join('');
}

function scenarioHtml(s: ReportScenario, mode: string, titles: Map<number, string>): string {
  const p = packScenario(s, mode);
  const text = [s.name, s.feature, s.tags.join(' '), ...s.verdicts.flatMap((v) => [v.id, v.title, v.summary, ...v.rules]), ...s.findings].join(' ').toLowerCase();
  const tags = s.tags.filter((t) => !/^@checklist-/.test(t)).map((t) => `<span class="tag">${esc(t)}</span>`).join(' ');
  const items = s.checklist.length ? `<span class="dim">checklist ${s.checklist.map((n) => `<abbr title="${esc(`${n}. ${titles.get(n) ?? ''}`)}">${n}</abbr>`).join(', ')}</span>` : '';
  return `<details class="scenario o-${cls(s.outcome)}" id="${esc(s.anchor)}" data-outcome="${cls(s.outcome)}" data-theme="${esc(s.theme)}" data-checklist=" ${s.checklist.join(' ')} " data-text="${esc(text)}"${p.open ? ` data-open-chart="${p.open.chart}" data-open-row="${p.open.row}"` : ''}>
<summary>${badge(s.outcome)} <span class="name">${esc(s.name)}</span> ${tags} ${items} <span class="ms">${ms(s.durationMs)}</span></summary>
<div class="body"></div><script type="application/octet-stream" class="packed">${p.packed}</script></details>`;
}
