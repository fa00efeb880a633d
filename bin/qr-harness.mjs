#!/usr/bin/env node
// Entry point of the qr-harness command: runs the TypeScript sources through tsx.
import v8 from 'node:v8';
import { register } from 'tsx/esm/api';

// Mark on the main thread: with a busy peer on a small machine the concurrent marker starves,
// marking stays on, and a long Pending stream then promotes every short-lived buffer (2x slower).
v8.setFlagsFromString('--no-concurrent-marking');

register();
// A reader that stops early (`qr-harness find --json | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
const { main } = await import('../cli/main.ts');
const { guardEarlyExit } = await import('../cli/commands/serve-stop.ts');
// A command still awaiting something once nothing is left that could settle it would end silently
// (exit 0, or 13 for this unsettled await): say so and exit 70. A command may add what it was doing.
const unguard = guardEarlyExit(() => process.stderr.write('error: ended early: nothing was left to wait for before the command finished\n'));
const code = await main(process.argv.slice(2));
unguard();
process.exitCode = code;
// Stopped by a signal (130, 143): the command has said what it did; nothing still pending may hold the process.
if (code === 130 || code === 143) process.exit(code);
