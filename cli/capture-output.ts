import type { Output } from './output.ts';

/** Text without its terminal colours. */
// eslint-disable-next-line no-control-regex
export const plain = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

/** An Output that keeps every line (colours removed), for tests that run a command in process. */
export function capture(): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(plain(l)), err: (l) => stderr.push(plain(l)) };
}
