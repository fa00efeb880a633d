import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../simulators/testing/peers.ts';
import type { RunningPeer } from '../simulators/testing/peers.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/** `qr-harness serve --quiet` as its own process (so it competes for CPU like DCMTK and Orthanc do), with extra options. */
export async function startOurScp(args: string[]): Promise<RunningPeer> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(root, 'bin/qr-harness.mjs'), 'serve', '--quiet', '--port', String(port), '--ae-title', 'QRSCP', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => c.toString().includes('listening') && resolve());
    child.once('exit', (code) => reject(new Error(`qr-harness serve exited with ${code}`)));
  });
  return {
    name: 'qr-harness serve',
    host: '127.0.0.1',
    port,
    aeTitle: 'QRSCP',
    pid: child.pid!,
    dir: '',
    log: () => '',
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
