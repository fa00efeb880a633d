/**
 * A reference for the echo benchmark: the zero-work Node acceptor of node-floor-server.mjs,
 * answering with the bytes our SCP sends (captured from one association), so its rate is what
 * the Node runtime alone allows on this machine.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventStream } from '../simulators/events/event-stream.ts';
import { DimseClient } from '../simulators/scu/dimse-client.ts';
import type { ClientEvent } from '../simulators/scu/dimse-client.ts';
import { freePort } from '../simulators/testing/peers.ts';
import type { RunningPeer } from '../simulators/testing/peers.ts';
import { startNodePeer, startOurScp } from './our-scp.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

type ConnectOptions = Parameters<typeof DimseClient.connect>[0];

export async function startNodeFloor(client: Omit<ConnectOptions, 'host' | 'port' | 'calledAeTitle'>): Promise<RunningPeer> {
  const scp = await startOurScp([]);
  const received: Buffer[] = [];
  try {
    const events = new EventStream<ClientEvent>();
    events.subscribe((e) => e.kind === 'pdu:received' && received.push(e.raw), ['pdu:received']);
    const c = await DimseClient.connect({ ...client, host: scp.host, port: scp.port, calledAeTitle: scp.aeTitle, events });
    await c.echo();
    await c.release();
  } finally {
    await scp.stop();
  }
  const [ac, rsp, rp] = received;
  if (received.length !== 3 || ac![0] !== 0x02 || rsp![0] !== 0x04 || rp![0] !== 0x06) throw new Error(`unexpected PDUs from our SCP: ${received.map((b) => b[0]).join(', ')}`);
  const port = await freePort();
  const peer = await startNodePeer('node-floor-server', path.join(here, 'node-floor-server.mjs'), [String(port), ...received.map((b) => b.toString('hex'))], port, scp.aeTitle);
  return { ...peer, name: 'zero-work Node acceptor' };
}
