import type { AssociationChart, ChartRow, Fold } from './conversation.ts';

/** Text for XML and HTML: the five special characters escaped. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

const W = 900;
const TIME_X = 62;
const L = 200;
const R = 590;
const SIDE_X = 606;
const HEAD = 48;
const ROW = 38;

/**
 * A message sequence chart of one association as SVG: the requestor's lane on the left, the
 * acceptor's on the right, one row per message or note, time on the left and timings on the
 * right. Rows carry `data-i` (their index in `chart.items`) so the page can open their detail.
 */
export function chartSvg(chart: AssociationChart, labels: { requestor: string; acceptor: string }, markDecisive = false): string {
  const h = HEAD + chart.items.length * ROW + 12;
  const parts: string[] = [];
  parts.push(`<svg class="msc" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-label="${esc(`message sequence chart: ${chart.requestor} and ${chart.acceptor}`)}">`);
  for (const [x, ae, role] of [
    [L, chart.requestor, labels.requestor],
    [R, chart.acceptor, labels.acceptor],
  ] as const) {
    parts.push(`<rect class="lane" x="${x - 95}" y="4" width="190" height="36" rx="5"/><text class="ae" x="${x}" y="20" text-anchor="middle">${esc(clip(ae, 26))}</text><text class="role" x="${x}" y="34" text-anchor="middle">${esc(role)}</text>`);
    parts.push(`<line class="life" x1="${x}" y1="40" x2="${x}" y2="${h - 4}"/>`);
  }
  chart.items.forEach((item, i) => {
    const y = HEAD + i * ROW;
    parts.push('fold' in item ? foldRow(item, i, y) : messageRow(item, i, y, markDecisive && i === chart.decisive));
  });
  parts.push('</svg>');
  return parts.join('');
}

function timeText(t: number, y: number): string {
  return `<text class="time" x="${TIME_X}" y="${y + 23}" text-anchor="end">${t >= 1000 ? `${(t / 1000).toFixed(3)} s` : `${t.toFixed(1)} ms`}</text>`;
}

function messageRow(r: ChartRow, i: number, y: number, decisive: boolean): string {
  const cls = `r t-${r.tone}${decisive ? ' decisive' : ''}`;
  const hit = `<rect class="hit" x="0" y="${y}" width="${W}" height="${ROW}"/>`;
  if (r.from === 'N') {
    return `<g class="${cls} note" data-i="${i}" tabindex="0">${hit}${timeText(r.t, y)}<rect class="box" x="${L - 60}" y="${y + 6}" width="${R - L + 120}" height="${ROW - 12}" rx="4"/><text x="${(L + R) / 2}" y="${y + 23}" text-anchor="middle">${esc(clip(r.title, 78))}</text></g>`;
  }
  const [x1, x2] = r.from === 'L' ? [L, R] : [R, L];
  const tip = r.from === 'L' ? x2 - 8 : x2 + 8;
  const arrow = `<line class="arrow" x1="${x1}" y1="${y + 20}" x2="${tip}" y2="${y + 20}"/><path class="head" d="M${x2} ${y + 20} L${tip} ${y + 15} L${tip} ${y + 25} Z"/>`;
  const title = `<text class="title" x="${(L + R) / 2}" y="${y + 15}" text-anchor="middle">${esc(clip(r.title, 52))}</text>`;
  const sub = r.sub ? `<text class="sub" x="${(L + R) / 2}" y="${y + 33}" text-anchor="middle">${esc(clip(r.sub, 64))}</text>` : '';
  const side = r.side ? `<text class="side" x="${SIDE_X}" y="${y + 24}">${esc(clip(r.side, 50))}</text>` : '';
  return `<g class="${cls}" data-i="${i}" tabindex="0">${hit}${timeText(r.t, y)}${arrow}${title}${sub}${side}</g>`;
}

function foldRow(f: Fold, i: number, y: number): string {
  return `<g class="r fold" data-i="${i}" tabindex="0"><rect class="hit" x="0" y="${y}" width="${W}" height="${ROW}"/><rect class="box" x="${L - 40}" y="${y + 6}" width="${R - L + 80}" height="${ROW - 12}" rx="4"/><text x="${(L + R) / 2}" y="${y + 23}" text-anchor="middle">⋯ ${esc(clip(f.title, 74))}</text></g>`;
}
