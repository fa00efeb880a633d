import type { Verdict } from '../../simulators/conformance/verdict.ts';
import { VERDICT_MEDIA_TYPE } from '../report/run-stream.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- cucumber's envelopes, walked generically */
export type Envelope = Record<string, any>;

/** One run's message stream, and how its verdicts are renamed in the merged run. */
export interface StreamOfRun {
  envelopes: Envelope[];
  /** Applied to each verdict the run's scenarios attached (the same function renames verdicts.json's checks). */
  relabel: (v: Verdict) => Verdict;
  /** Attached to each of the run's scenarios as a text note, when several runs are merged. */
  note?: string;
}

/** What the code under test is made of: the same in runs of the same code, so kept once. */
const SHARED = new Set(['source', 'gherkinDocument', 'pickle', 'stepDefinition', 'hook', 'parameterType', 'undefinedParameterType']);

/** Keys that refer to an id defined elsewhere (workerId names a worker process, not a message). */
const isReference = (key: string) => key !== 'id' && key !== 'workerId' && /Ids?$/.test(key);

/** Every id the envelope defines, in document order. */
function ownIds(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) ownIds(v, into);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'id' && typeof v === 'string') into.push(v);
      else ownIds(v, into);
    }
  }
  return into;
}

/** A copy with every id (defined or referred to) passed through `rename`. */
function rewrite(value: unknown, rename: (id: string) => string, key = ''): unknown {
  if (typeof value === 'string') return key === 'id' || isReference(key) ? rename(value) : value;
  if (Array.isArray(value)) return value.map((v) => rewrite(v, rename, key));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v, rename, k)]));
  return value;
}

const msOf = (t: { seconds: number; nanos: number }) => t.seconds * 1000 + t.nanos / 1e6;

/**
 * Merges the message streams of several runs into the stream of one run. Definitions (sources,
 * Gherkin documents, pickles, step definitions, hooks) equal to one of an earlier run once that
 * run's ids are put in (they are random per run) are kept once and the later run refers to the
 * first one's ids; a definition or run message whose ids are already taken by different content
 * gets new ids, renamed consistently in everything of its run that refers to them. One
 * testRunStarted (the earliest time), one testRunFinished (the latest, success when every run
 * succeeded; none when a run did not finish).
 */
export function mergeMessageStreams(runs: StreamOfRun[]): string {
  const taken = new Set<string>();
  // A shared definition with its own ids written as their order of appearance → the run that defined it and its ids.
  const definitions = new Map<string, { run: number; ids: string[] }>();
  let meta: Envelope | undefined;
  let started: { id: string | undefined; timestamp: { seconds: number; nanos: number } } | undefined;
  let finished: { timestamp: { seconds: number; nanos: number }; success: boolean } | undefined;
  let everyRunFinished = true;
  const prelude: Envelope[] = [];
  const body: Envelope[] = [];

  runs.forEach((run, k) => {
    const renamed = new Map<string, string>();
    const rename = (id: string) => renamed.get(id) ?? id;
    const claim = (ids: string[]) => {
      for (const id of ids) {
        if (!taken.has(id)) {
          taken.add(id);
          continue;
        }
        let fresh = `${id}.${k + 1}`;
        for (let n = 2; taken.has(fresh); n++) fresh = `${id}.${k + 1}.${n}`;
        renamed.set(id, fresh);
        taken.add(fresh);
      }
    };
    let runFinished = false;
    for (const e of run.envelopes) {
      const type = Object.keys(e)[0]!;
      const m = e[type];
      if (type === 'meta') {
        meta ??= e;
      } else if (type === 'testRunStarted') {
        // Every run's start is the merged run's one start.
        if (!started) {
          started = { id: m.id, timestamp: m.timestamp };
          if (m.id) taken.add(m.id);
        } else {
          if (m.id && started.id) renamed.set(m.id, started.id);
          if (msOf(m.timestamp) < msOf(started.timestamp)) started.timestamp = m.timestamp;
        }
      } else if (type === 'testRunFinished') {
        runFinished = true;
        if (!finished) finished = { timestamp: m.timestamp, success: m.success !== false };
        else {
          if (msOf(m.timestamp) > msOf(finished.timestamp)) finished.timestamp = m.timestamp;
          finished.success &&= m.success !== false;
        }
      } else if (SHARED.has(type)) {
        const own = ownIds(e);
        const placeholders = new Map(own.map((id, i) => [id, `#${i}`]));
        const key = JSON.stringify(rewrite(e, (id) => placeholders.get(id) ?? rename(id)));
        const first = definitions.get(key);
        if (first && first.run !== k) {
          own.forEach((id, i) => renamed.set(id, first.ids[i]!));
          continue;
        }
        claim(own);
        prelude.push(rewrite(e, rename) as Envelope);
        if (!first) definitions.set(key, { run: k, ids: own.map(rename) });
      } else {
        claim(ownIds(e));
        const out = rewrite(e, rename) as Envelope;
        body.push(type === 'attachment' ? relabelAttachment(out, run.relabel) : out);
        if (type === 'testCaseStarted' && run.note) {
          body.push({ attachment: { testCaseStartedId: out.testCaseStarted.id, body: run.note, mediaType: 'text/plain', contentEncoding: 'IDENTITY', fileName: 'run' } });
        }
      }
    }
    everyRunFinished &&= runFinished;
  });

  const lines: Envelope[] = [...(meta ? [meta] : []), ...prelude];
  if (started) lines.push({ testRunStarted: { ...(started.id && { id: started.id }), timestamp: started.timestamp } });
  lines.push(...body);
  if (finished && everyRunFinished) lines.push({ testRunFinished: { ...(started?.id && { testRunStartedId: started.id }), timestamp: finished.timestamp, success: finished.success } });
  return lines.map((l) => `${JSON.stringify(l)}\n`).join('');
}

/** A verdict attachment with the verdict renamed, encoded as it came. */
function relabelAttachment(e: Envelope, relabel: (v: Verdict) => Verdict): Envelope {
  const a = e.attachment;
  if (a.mediaType !== VERDICT_MEDIA_TYPE) return e;
  const base64 = a.contentEncoding === 'BASE64';
  const text = base64 ? Buffer.from(a.body, 'base64').toString('utf8') : (a.body as string);
  let verdict: Verdict;
  try {
    verdict = JSON.parse(text) as Verdict;
  } catch {
    return e; // the report notes an unreadable attachment itself
  }
  const renamed = relabel(verdict);
  if (renamed === verdict) return e;
  const json = JSON.stringify(renamed, null, /^\{\n {2}"/.test(text) ? 2 : undefined);
  return { attachment: { ...a, body: base64 ? Buffer.from(json).toString('base64') : json } };
}
