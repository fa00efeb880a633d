import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node, YAMLMap } from 'yaml';

/**
 * A small schema language for scenario files: one definition validates the YAML (every error
 * with file, line and column, and what was expected) and generates the published JSON Schema
 * that editors use to check and complete the same files.
 */
export type Schema =
  | { kind: 'object'; doc?: string; props: Record<string, Prop>; values?: Schema; valueKeys?: 'keyword' }
  | { kind: 'array'; doc?: string; items: Schema; minItems?: number; maxItems?: number }
  | { kind: 'string'; doc?: string; enum?: readonly string[]; pattern?: string; patternHelp?: string }
  | { kind: 'integer'; doc?: string; min?: number; max?: number }
  | { kind: 'number'; doc?: string; min?: number }
  | { kind: 'boolean'; doc?: string }
  | { kind: 'status'; doc?: string }
  | { kind: 'oneOf'; doc?: string; options: readonly Schema[] }
  | { kind: 'any'; doc?: string };

export interface Prop {
  schema: Schema;
  required?: boolean;
}

export const obj = (props: Record<string, Prop | Schema>, doc?: string): Schema => ({
  kind: 'object',
  ...(doc !== undefined && { doc }),
  props: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, 'kind' in v ? { schema: v } : v])),
});
export const req = (schema: Schema): Prop => ({ schema, required: true });
export const str = (doc?: string, extra: Partial<Extract<Schema, { kind: 'string' }>> = {}): Schema => ({ kind: 'string', ...(doc !== undefined && { doc }), ...extra });
export const oneOfStrings = (values: readonly string[], doc?: string): Schema => ({ kind: 'string', enum: values, ...(doc !== undefined && { doc }) });
export const int = (doc?: string, min?: number, max?: number): Schema => ({ kind: 'integer', ...(doc !== undefined && { doc }), ...(min !== undefined && { min }), ...(max !== undefined && { max }) });
export const bool = (doc?: string): Schema => ({ kind: 'boolean', ...(doc !== undefined && { doc }) });
export const list = (items: Schema, doc?: string, minItems?: number): Schema => ({ kind: 'array', items, ...(doc !== undefined && { doc }), ...(minItems !== undefined && { minItems }) });
export const oneOf = (options: Schema[], doc?: string): Schema => ({ kind: 'oneOf', options, ...(doc !== undefined && { doc }) });
export const status = (doc?: string): Schema => ({ kind: 'status', ...(doc !== undefined && { doc }) });
export const any = (doc?: string): Schema => ({ kind: 'any', ...(doc !== undefined && { doc }) });
export const keywordMap = (doc?: string): Schema => ({ kind: 'object', ...(doc !== undefined && { doc }), props: {}, values: any('a value, a list of values, or a list of items'), valueKeys: 'keyword' });

export interface SchemaProblem {
  where: string;
  message: string;
}

/** Where a node is, as file:line:column. */
export function position(file: string, lines: LineCounter, node: Node | null | undefined): string {
  const offset = node?.range?.[0];
  if (offset === undefined) return file;
  const p = lines.linePos(offset);
  return `${file}:${p.line}:${p.col}`;
}

function describe(s: Schema): string {
  switch (s.kind) {
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'string':
      return s.enum ? `one of ${s.enum.join(', ')}` : 'text';
    case 'integer':
      return `a whole number${s.min !== undefined ? ` ≥ ${s.min}` : ''}${s.max !== undefined ? ` ≤ ${s.max}` : ''}`;
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'status':
      return 'a DIMSE status (e.g. 0xA700, A700 or 42752)';
    case 'oneOf':
      return s.options.map(describe).join(' or ');
    case 'any':
      return 'a value';
  }
}

/** Parses a status written as 0xA700, A700 or a number. */
export function parseStatus(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff) return v;
  if (typeof v === 'string') {
    const m = /^(?:0x)?([0-9A-Fa-f]{4})$/.exec(v.trim());
    if (m) return parseInt(m[1]!, 16);
  }
  return undefined;
}

function closest(word: string, options: readonly string[]): string | undefined {
  const dist = (a: string, b: string) => {
    const d = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let prev = d[0]!;
      d[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const t = d[j]!;
        d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
        prev = t;
      }
    }
    return d[b.length]!;
  };
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(word.length / 3));
  for (const o of options) {
    const d = dist(word, o);
    if (d <= bestD) {
      best = o;
      bestD = d;
    }
  }
  return best;
}

/** Validates a YAML node; returns every problem, each with where it is and what was expected. */
export function validate(node: Node | null | undefined, schema: Schema, at: (n: Node | null | undefined) => string, path = '', keyword?: (k: string) => boolean, doc?: Document): SchemaProblem[] {
  // An alias (*name) is checked as the node it names.
  if (isAlias(node) && doc) node = node.resolve(doc) as Node | undefined;
  const out: SchemaProblem[] = [];
  const expected = (n: Node | null | undefined, what = describe(schema)) => out.push({ where: at(n), message: `${path || 'the scenario'}: expected ${what}` });
  switch (schema.kind) {
    case 'any':
      return out;
    case 'object': {
      if (!isMap(node)) {
        expected(node);
        return out;
      }
      const seen = new Set<string>();
      for (const pair of (node as YAMLMap).items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : '';
        const value = pair.value as Node | null;
        if (k === '<<' && doc) {
          // A merge key (<<: *base): the merged mapping's keys count as present here.
          const sources = isSeq(value) ? (value.items as Node[]) : [value];
          for (const src of sources) {
            const m = isAlias(src) ? src.resolve(doc) : src;
            if (isMap(m)) for (const p of m.items) if (isScalar(p.key)) seen.add(String(p.key.value));
          }
          continue;
        }
        seen.add(k);
        const prop = schema.props[k];
        const child = path ? `${path}.${k}` : k;
        if (prop) {
          out.push(...validate(value, prop.schema, at, child, keyword, doc));
        } else if (schema.values) {
          if (schema.valueKeys === 'keyword' && keyword && !keyword(k)) {
            out.push({ where: at(pair.key as Node), message: `${child}: "${k}" is not a keyword of the DICOM data dictionary` });
          } else out.push(...validate(value, schema.values, at, child, keyword, doc));
        } else {
          const hint = closest(k, Object.keys(schema.props));
          out.push({ where: at(pair.key as Node), message: `${path || 'the scenario'}: unknown key "${k}"${hint ? ` (did you mean "${hint}"?)` : ''}; expected ${Object.keys(schema.props).join(', ')}` });
        }
      }
      for (const [k, p] of Object.entries(schema.props)) if (p.required && !seen.has(k)) out.push({ where: at(node), message: `${path || 'the scenario'}: "${k}" is required` });
      return out;
    }
    case 'array': {
      if (!isSeq(node)) {
        expected(node);
        return out;
      }
      const items = node.items as Node[];
      if (schema.minItems !== undefined && items.length < schema.minItems) out.push({ where: at(node), message: `${path}: at least ${schema.minItems} item(s)` });
      if (schema.maxItems !== undefined && items.length > schema.maxItems) out.push({ where: at(node), message: `${path}: at most ${schema.maxItems} item(s)` });
      items.forEach((n, i) => out.push(...validate(n, schema.items, at, `${path}[${i}]`, keyword, doc)));
      return out;
    }
    case 'oneOf': {
      let best: SchemaProblem[] | undefined;
      for (const o of schema.options) {
        const r = validate(node, o, at, path, keyword, doc);
        if (r.length === 0) return out;
        if (!best || r.length < best.length) best = r;
      }
      // A mapping that fits no option: report against the option it came closest to.
      if (isMap(node) && best) return best;
      expected(node);
      return out;
    }
    default: {
      if (node !== null && node !== undefined && !isScalar(node)) {
        expected(node);
        return out;
      }
      const v = node === null || node === undefined ? null : (node as { value: unknown }).value;
      if (schema.kind === 'string') {
        if (typeof v !== 'string' && typeof v !== 'number') expected(node);
        else if (schema.enum && !schema.enum.includes(String(v))) {
          const hint = closest(String(v), schema.enum);
          out.push({ where: at(node), message: `${path}: "${v}" is not ${describe(schema)}${hint ? ` (did you mean "${hint}"?)` : ''}` });
        } else if (schema.pattern && !new RegExp(schema.pattern).test(String(v))) out.push({ where: at(node), message: `${path}: "${v}" is not ${schema.patternHelp ?? `of the form ${schema.pattern}`}` });
      } else if (schema.kind === 'integer') {
        if (typeof v !== 'number' || !Number.isInteger(v) || (schema.min !== undefined && v < schema.min) || (schema.max !== undefined && v > schema.max)) expected(node);
      } else if (schema.kind === 'number') {
        if (typeof v !== 'number' || (schema.min !== undefined && v < schema.min)) expected(node);
      } else if (schema.kind === 'boolean') {
        if (typeof v !== 'boolean') expected(node);
      } else if (schema.kind === 'status') {
        if (parseStatus(v) === undefined) expected(node);
      }
      return out;
    }
  }
}

/** The JSON Schema (draft 2020-12) of a schema, for editors. */
export function toJsonSchema(s: Schema): Record<string, unknown> {
  const doc = s.doc !== undefined ? { description: s.doc } : {};
  switch (s.kind) {
    case 'object': {
      const out: Record<string, unknown> = { type: 'object', ...doc, properties: Object.fromEntries(Object.entries(s.props).map(([k, p]) => [k, toJsonSchema(p.schema)])) };
      const required = Object.entries(s.props).filter(([, p]) => p.required).map(([k]) => k);
      if (required.length) out.required = required;
      out.additionalProperties = s.values ? (s.valueKeys === 'keyword' ? true : toJsonSchema(s.values)) : false;
      if (s.valueKeys === 'keyword') out.propertyNames = { pattern: '^([A-Za-z][A-Za-z0-9]*|\\([0-9A-Fa-f]{4},[0-9A-Fa-f]{4}\\))$' };
      return out;
    }
    case 'array':
      return { type: 'array', ...doc, items: toJsonSchema(s.items), ...(s.minItems !== undefined && { minItems: s.minItems }), ...(s.maxItems !== undefined && { maxItems: s.maxItems }) };
    case 'string':
      return { type: 'string', ...doc, ...(s.enum && { enum: [...s.enum] }), ...(s.pattern && { pattern: s.pattern }) };
    case 'integer':
      return { type: 'integer', ...doc, ...(s.min !== undefined && { minimum: s.min }), ...(s.max !== undefined && { maximum: s.max }) };
    case 'number':
      return { type: 'number', ...doc, ...(s.min !== undefined && { minimum: s.min }) };
    case 'boolean':
      return { type: 'boolean', ...doc };
    case 'status':
      return { ...doc, oneOf: [{ type: 'integer', minimum: 0, maximum: 65535 }, { type: 'string', pattern: '^(0x)?[0-9A-Fa-f]{4}$' }] };
    case 'oneOf':
      return { ...doc, oneOf: s.options.map(toJsonSchema) };
    case 'any':
      return { ...doc };
  }
}
