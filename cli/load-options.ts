import { existsSync, statSync } from 'node:fs';
import { loadScenario, ScenarioError } from '../simulators/scenario/load.ts';
import { checkMix, defaultMix, mixFromScenario } from '../simulators/load/mix.ts';
import { parseThresholds } from '../simulators/load/thresholds.ts';
import type { Threshold } from '../simulators/load/thresholds.ts';
import { LoadError } from '../simulators/load/errors.ts';
import type { LoadMix, ShardSpec } from '../simulators/load/types.ts';
import { port, UsageError } from './args.ts';

/** `--target-scp HOST:PORT` (an IPv6 host in brackets). */
export function targetScp(text: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d+)$/.exec(text);
  if (!m) throw new UsageError(`--target-scp needs HOST:PORT, got "${text}"`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: port(Number(m[2]), '--target-scp') };
}

/** `30s`, `2m`, `500ms`, `1h` or plain seconds (`45`, `0.5`), in milliseconds. */
export function durationMs(text: string, option = '--duration'): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`${option} needs a duration like 30s, 2m, 500ms or plain seconds, got "${text}"`);
  const n = Number(m[1]);
  const ms = n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000);
  if (ms <= 0) throw new UsageError(`${option} must be longer than 0, got "${text}"`);
  return ms;
}

/** `--rate 50` or `50/s`: session arrivals per second. */
export function ratePerSecond(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(\/s)?$/.exec(text.trim());
  if (!m || !(Number(m[1]) > 0)) throw new UsageError(`--rate needs arrivals per second greater than 0, like 50 or 50/s, got "${text}"`);
  return Number(m[1]);
}

/** `--shard i/N` with 0 ≤ i < N. */
export function shardSpec(text: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new UsageError(`--shard needs i/N (e.g. 0/3), got "${text}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new UsageError(`--shard ${text}: the index must be 0 ≤ i < N`);
  return { index, count };
}

export function concurrency(n: number): number {
  if (!(n >= 1)) throw new UsageError(`--concurrency must be at least 1, got ${n}`);
  return n;
}

export function thresholds(expressions: string[]): Threshold[] {
  try {
    return parseThresholds(expressions);
  } catch (e) {
    if (e instanceof LoadError) throw new UsageError(`--threshold: ${e.message.replace(/^threshold /, '')}`);
    throw e;
  }
}

/** The default mix, or a scenario's: its load.mix, or its scu.steps as the one session. */
export function mixOf(scenarioFile: string | undefined): LoadMix {
  if (scenarioFile === undefined) return defaultMix();
  if (!existsSync(scenarioFile) || !statSync(scenarioFile).isFile()) throw new UsageError(`--scenario ${scenarioFile}: no such file`);
  try {
    const mix = mixFromScenario(loadScenario(scenarioFile));
    checkMix(mix);
    return mix;
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(`--scenario ${scenarioFile}: ${e.problems.map((p) => `${p.where}: ${p.message}`).join('; ')}`);
    if (e instanceof LoadError) throw new UsageError(`--scenario ${scenarioFile}: ${e.message}`);
    throw e;
  }
}
