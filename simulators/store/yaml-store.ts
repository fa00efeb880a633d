import { readFileSync } from 'node:fs';
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node, YAMLMap } from 'yaml';
import { entryForKeyword } from '../dataset/dictionary.ts';
import type { AttrValue, Entity, Item, Level, Values } from './entities.ts';
import { NON_KEY_ATTRIBUTES, levelOfAttribute } from './levels.ts';
import { Store, StoreError } from './store.ts';
import type { StoreProblem } from './store.ts';
import { checkValue } from './value-checks.ts';

/** The nesting of a YAML store: each level's children and the key holding them. */
const CHILDREN: Partial<Record<Level, { key: string; level: Level }>> = {
  PATIENT: { key: 'studies', level: 'STUDY' },
  STUDY: { key: 'series', level: 'SERIES' },
  SERIES: { key: 'instances', level: 'IMAGE' },
};

/** The child lists and the level they belong under. */
const STRUCTURAL: Record<string, Level> = { studies: 'PATIENT', series: 'STUDY', instances: 'SERIES' };

/** Where an offset of the parsed text is in the file: a LineCounter, or one shifted for a part of a file. */
export type LinePositions = Pick<LineCounter, 'linePos'>;

class Reader {
  readonly problems: StoreProblem[] = [];
  constructor(
    readonly file: string,
    private readonly lines: LinePositions,
  ) {}

  where(node: Node | null | undefined): string {
    const offset = node?.range?.[0];
    if (offset === undefined) return this.file;
    const p = this.lines.linePos(offset);
    return `${this.file}:${p.line}:${p.col}`;
  }

  problem(node: Node | null | undefined, message: string): void {
    this.problems.push({ where: this.where(node), message });
  }
}

/**
 * Reads a YAML store (patients → studies → series → instances, and worklist items; PS3.6
 * keywords as keys) into `store`. Every unknown keyword, value of the wrong form, duplicate unique
 * key or misplaced attribute is reported with file, line and column; nothing loads if anything is wrong.
 */
export function loadYamlStore(file: string, store = new Store(), text = readFileSync(file, 'utf8')): Store {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const problems = yamlSyntaxProblems(doc, file, lines);
  if (problems.length) throw new StoreError('STORE_INVALID', problems);
  if (doc.contents === null) throw new StoreError('STORE_INVALID', [{ where: file, message: 'the file is empty: a store is a mapping with "patients" and/or "worklist"' }]);
  return readStoreNode(doc.contents as Node | null, file, lines, store);
}

/** The parser's errors, one line each: the position goes in `where`, not again at the end of the message. */
export function yamlSyntaxProblems(doc: Document, file: string, lines: LinePositions): StoreProblem[] {
  return doc.errors.map((e) => {
    const p = lines.linePos(e.pos[0]);
    return { where: `${file}:${p.line}:${p.col}`, message: yamlMessage(e.message) };
  });
}

/** The first line of a YAML parser message without its trailing " at line L, column C:" (the code frame follows it). */
export function yamlMessage(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?\s*$/, '');
}

/**
 * Reads a store from a YAML node (a whole file, or the `store:` of a scenario) into `store`,
 * with positions from `lines`. `ignore` names keys of that mapping that are not the store's.
 */
export function readStoreNode(root: Node | null, file: string, lines: LinePositions, store: Store, ignore: readonly string[] = []): Store {
  const r = new Reader(file, lines);
  if (!isMap(root)) throw new StoreError('STORE_INVALID', [{ where: r.where(root), message: 'a store is a mapping with "patients" and/or "worklist"' }]);
  const staged = new Store();
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const value = pair.value as Node | null;
    if (ignore.includes(key)) continue;
    if (key === 'patients' || key === 'worklist') {
      if (!isSeq(value)) {
        r.problem(value ?? (pair.key as Node), `"${key}" is a list`);
        continue;
      }
      for (const item of value.items as Node[]) {
        if (key === 'patients') readEntity(r, staged, item, 'PATIENT', undefined, undefined);
        else readWorklistItem(r, staged, item);
      }
    } else {
      r.problem(pair.key as Node, `unknown key "${key}": a store has "patients" and "worklist"`);
    }
  }
  if (r.problems.length) throw new StoreError('STORE_INVALID', r.problems);
  merge(staged, store, file);
  return store;
}

function merge(from: Store, into: Store, file: string): void {
  const copy = (e: Entity, parent: Entity | undefined): void => {
    const level = e.level as Exclude<Level, 'WORKLIST'>;
    const made = into.add(level, e.values, parent, e.charset === parent?.charset ? undefined : e.charset, e.origin ?? file);
    for (const c of e.children) copy(c, made);
  };
  for (const p of from.patients) copy(p, undefined);
  for (const w of from.worklist) into.addWorklistItem(w.values, w.charset, w.origin);
}

function readValues(r: Reader, node: YAMLMap, level: Level, structural: string | undefined): { values: Values; charset: string | undefined } {
  const values: Values = {};
  let charset: string | undefined;
  for (const pair of node.items) {
    const keyNode = pair.key as Node;
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (key === structural) continue;
    const entry = entryForKeyword(key);
    if (!entry) {
      const home = STRUCTURAL[key];
      r.problem(
        keyNode,
        home ? `"${key}" belongs under a ${home.toLowerCase()}, not a ${level === 'WORKLIST' ? 'sequence item or worklist item' : level.toLowerCase()}` : `"${key}" is not a keyword of the DICOM data dictionary${structural ? ` (nor "${structural}")` : ''}`,
      );
      continue;
    }
    if (NON_KEY_ATTRIBUTES.has(key) && key !== 'SpecificCharacterSet') {
      r.problem(keyNode, `${key} belongs to queries and responses, not to stored entities`);
      continue;
    }
    const home = levelOfAttribute(key);
    if (home && level !== 'WORKLIST' && home !== level && !(level === 'STUDY' && home === 'PATIENT')) {
      r.problem(keyNode, `${key} is a ${home.toLowerCase()}-level attribute; it is placed on a ${level.toLowerCase()}`);
      continue;
    }
    const v = readValue(r, pair.value as Node | null, entry.vr, entry.vm, key);
    if (v === undefined) continue;
    if (key === 'SpecificCharacterSet') charset = Array.isArray(v) ? v.join('\\') : (v as string);
    else values[key] = v;
  }
  return { values, charset };
}

function readValue(r: Reader, node: Node | null, vr: string, vm: string, key: string): AttrValue | undefined {
  if (vr === 'SQ') {
    if (node === null || (isScalar(node) && (node.value === null || node.value === ''))) return [];
    if (!isSeq(node)) {
      r.problem(node, `${key} is a sequence: give a list of items`);
      return undefined;
    }
    const items: Item[] = [];
    for (const it of node.items as Node[]) {
      if (isScalar(it) && it.value === null) {
        items.push({});
        continue;
      }
      if (!isMap(it)) {
        r.problem(it, `an item of ${key} is a mapping of keywords to values`);
        continue;
      }
      items.push(readValues(r, it, 'WORKLIST', undefined).values as Item);
    }
    return items;
  }
  const list = isSeq(node) ? (node.items as Node[]) : [node];
  if (isSeq(node) && vm === '1') {
    r.problem(node, `${key} takes one value (VM 1), not a list`);
    return undefined;
  }
  const out: string[] = [];
  for (const n of list) {
    if (n !== null && !isScalar(n)) {
      r.problem(n, `${key} values are text or numbers`);
      return undefined;
    }
    const raw = n === null || n.value === null ? '' : String(n.value);
    const wrong = checkValue(vr, raw);
    if (wrong) {
      r.problem(n, `${key} (${vr}): ${wrong}`);
      return undefined;
    }
    out.push(raw);
  }
  return isSeq(node) ? out : out[0]!;
}

function readEntity(r: Reader, store: Store, node: Node, level: Exclude<Level, 'WORKLIST'>, parent: Entity | undefined, parentCharset: string | undefined): void {
  if (!isMap(node)) {
    r.problem(node, `a ${level.toLowerCase()} is a mapping of keywords to values`);
    return;
  }
  const child = CHILDREN[level];
  const { values, charset } = readValues(r, node, level, child?.key);
  let entity: Entity | undefined;
  try {
    entity = store.add(level, values, parent, charset ?? undefined, r.where(node));
  } catch (e) {
    if (!(e instanceof StoreError)) throw e;
    r.problems.push(...e.problems);
  }
  if (!child) return;
  const kids = node.get(child.key, true) as Node | undefined;
  if (kids === undefined || kids === null) return;
  if (!isSeq(kids)) {
    r.problem(kids, `"${child.key}" is a list`);
    return;
  }
  if (!entity) return;
  for (const k of kids.items as Node[]) readEntity(r, store, k, child.level as Exclude<Level, 'WORKLIST'>, entity, charset ?? parentCharset);
}

function readWorklistItem(r: Reader, store: Store, node: Node): void {
  if (!isMap(node)) {
    r.problem(node, 'a worklist item is a mapping of keywords to values');
    return;
  }
  const { values, charset } = readValues(r, node, 'WORKLIST', undefined);
  const sps = values.ScheduledProcedureStepSequence;
  if (!Array.isArray(sps) || sps.length !== 1 || typeof sps[0] !== 'object') {
    r.problem(node, 'a worklist item holds exactly one Scheduled Procedure Step item (PS3.4 K.6.1.2)');
    return;
  }
  store.addWorklistItem(values, charset, r.where(node));
}
