import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../simulators/testing/peers.ts';
import type { RunningPeer } from '../simulators/testing/peers.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/** `qr-harness serve --quiet` as its own process (so it competes for CPU like DCMTK and Orthanc do), with extra options. */
export async function startOurScp(args: string[]): Promise<RunningPeer> {
  const port = await freePort();
  return startNodePeer('qr-harness serve', path.join(root, 'bin/qr-harness.mjs'), ['serve', '--quiet', '--port', String(port), '--ae-title', 'QRSCP', ...args], port, 'QRSCP');
}

/** A Node script as a peer on 127.0.0.1:`port`, ready once it prints "listening"; stopped with SIGTERM. */
export async function startNodePeer(name: string, script: string, args: string[], port: number, aeTitle: string): Promise<RunningPeer> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => c.toString().includes('listening') && resolve());
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${stderr.trim()}`)));
  });
  return {
    name,
    host: '127.0.0.1',
    port,
    aeTitle,
    pid: child.pid!,
    dir: '',
    log: () => stderr,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
