/**
 * Splits a large YAML store into parts that parse on their own, so it can be loaded a part at a
 * time (with progress, and room for the event loop between parts). Only the plain block layout
 * `store generate` writes and people type is split: top-level `key:` lines at column 0, each list
 * item of a key starting at the list's own indentation. Anything else (directives, several
 * documents, anchors and aliases, flow or quoted top-level keys, a repeated key) is not split:
 * the caller parses the whole text, which reports exactly what a single parse would.
 */
export interface YamlChunk {
  /** The part's text: the top-level key line (or a copy of it) and some of its list items. */
  text: string;
  /** Line in the file of the text's first line; a copied key line sits one line above the first item. */
  firstLine: number;
  /** Where in the file the part ends (for progress). */
  end: number;
}

const TOP_LEVEL_KEY = /^([A-Za-z_][\w-]*):(?:[ \t]+#.*|[ \t]*)$/;
const TOP_LEVEL_INLINE = /^([A-Za-z_][\w-]*):[ \t]/;
const ANCHOR_OR_ALIAS = /(?:^|[\s[{,])[&*][^\s[\]{},]/m;

/** Parts of about `size` characters, or undefined when the text is not in the plain block layout. */
export function chunkYamlStore(text: string, size = 64 * 1024): YamlChunk[] | undefined {
  if ((text.includes('&') || text.includes('*')) && ANCHOR_OR_ALIAS.test(text)) return undefined;
  // Column-0 lines other than blank lines, comments and list items: each starts a top-level segment.
  const segments: { key: string; block: boolean; at: number }[] = [];
  const keys = new Set<string>();
  for (let at = 0; at < text.length; at = text.indexOf('\n', at) + 1 || text.length) {
    const c = text[at];
    if (c === ' ' || c === '\n' || c === '\r' || c === '#' || isItemStart(text, at)) continue;
    const end = text.indexOf('\n', at);
    const line = text.slice(at, end === -1 ? text.length : end).replace(/\r$/, '');
    const block = TOP_LEVEL_KEY.exec(line);
    const key = block?.[1] ?? TOP_LEVEL_INLINE.exec(line)?.[1];
    if (key === undefined || keys.has(key)) return undefined;
    keys.add(key);
    segments.push({ key, block: block !== null, at });
  }
  if (segments.length === 0) return undefined;
  const chunks: YamlChunk[] = [];
  let line = 1;
  /** Adds text[from, to) as a part, the key line copied in front when `key` is given; keeps `line` at `to`'s line. */
  const push = (from: number, to: number, key?: string) => {
    const body = text.slice(from, to);
    chunks.push(key === undefined ? { text: body, firstLine: line, end: to } : { text: `${key}:\n${body}`, firstLine: line - 1, end: to });
    line += countLines(body);
  };
  for (const [i, s] of segments.entries()) {
    const from = i === 0 ? 0 : s.at;
    const to = segments[i + 1]?.at ?? text.length;
    const list = s.block ? firstItem(text, s.at, to) : undefined;
    if (list === undefined) {
      push(from, to);
      continue;
    }
    const { needle, at } = list;
    let start = from;
    // Every part holds at least one item: the first one is cut after the first item's line.
    for (let cut = nextItem(text, needle, Math.max(start + size, at + 1), to); cut < to; cut = nextItem(text, needle, start + size, to)) {
      push(start, cut, start === from ? undefined : s.key);
      start = cut;
    }
    push(start, to, start === from ? undefined : s.key);
  }
  return chunks;
}

/**
 * The first item of the list under the key line at `at` (where its line starts) and "\n" with the
 * list's indentation, or undefined when the key's value is not a block list.
 */
function firstItem(text: string, at: number, to: number): { needle: string; at: number } | undefined {
  const first = /\n( *)(?![ #\r\n])/g;
  first.lastIndex = text.indexOf('\n', at);
  const m = first.lastIndex === -1 ? null : first.exec(text);
  if (!m || m.index >= to || !isItemStart(text, m.index + 1 + m[1]!.length)) return undefined;
  return { needle: `\n${m[1]}`, at: m.index + 1 };
}

function isItemStart(text: string, i: number): boolean {
  const next = text.charCodeAt(i + 1);
  return text[i] === '-' && (next === 0x20 || next === 0x0a || next === 0x0d || Number.isNaN(next));
}

/** The start of the first list item line at or after `from` (the list's indentation exactly), or `to`. */
function nextItem(text: string, needle: string, from: number, to: number): number {
  for (let i = text.indexOf(needle, from - 1); i !== -1 && i < to; i = text.indexOf(needle, i + 1)) {
    if (isItemStart(text, i + needle.length)) return i + 1;
  }
  return to;
}

function countLines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
