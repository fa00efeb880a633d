import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { HistogramJson, LatencySummary } from './types.ts';

/** One hour in microseconds: longer latencies are recorded as one hour. */
const HIGHEST_MICROS = 3_600_000_000;

/** An HdrHistogram of latencies in microseconds, 3 significant digits (plain JS, no WebAssembly). */
export function newHistogram(): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_MICROS, numberOfSignificantValueDigits: 3, bitBucketSize: 32, useWebAssembly: false });
}

/** Records a latency given in milliseconds (microsecond resolution). */
export function recordMs(h: Histogram, ms: number): void {
  h.recordValue(Math.min(HIGHEST_MICROS, Math.max(1, Math.round(ms * 1000))));
}

const ms = (micros: number) => Math.round(micros) / 1000;

export function summarise(h: Histogram): LatencySummary {
  const n = h.totalCount;
  const at = (p: number) => (n === 0 ? 0 : ms(h.getValueAtPercentile(p)));
  return {
    count: n,
    min: n === 0 ? 0 : ms(h.minNonZeroValue),
    mean: n === 0 ? 0 : Math.round(h.mean) / 1000,
    p50: at(50),
    p95: at(95),
    p99: at(99),
    p999: at(99.9),
    // The highest equivalent value, as percentiles report: the same for a histogram decoded and added.
    max: at(100),
  };
}

/** The JSON form: the summary and the standard compressed encoding, from which merges add exactly. */
export function histogramJson(h: Histogram): HistogramJson {
  return { ...summarise(h), hdr: hdr.encodeIntoCompressedBase64(h) };
}

export function decodeHistogram(base64: string): Histogram {
  return hdr.decodeFromCompressedBase64(base64, 32, false);
}

/** The value at a percentile, in milliseconds. */
export function percentileMs(h: Histogram, p: number): number {
  return h.totalCount === 0 ? 0 : ms(h.getValueAtPercentile(p));
}
