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
process.exitCode = await main(process.argv.slice(2));
