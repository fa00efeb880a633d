/** The resource probe counts what the process really holds: sockets, timers, descriptors, memory. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { handleGrowth, resourceSnapshot } from './resources.ts';

test('a listening server, a connection and a timer each show up, as handles and descriptors, and are gone once closed', async () => {
  const before = resourceSnapshot();
  const server = net.createServer((s) => s.on('error', () => {}));
  const timer = setTimeout(() => {}, 60_000);
  let client: net.Socket | undefined;
  try {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    await once(client, 'connect');
    await new Promise((r) => setImmediate(r));
    const during = resourceSnapshot();
    const { TCPServerWrap, TCPSocketWrap, Timeout } = handleGrowth(before, during);
    assert.deepEqual({ TCPServerWrap, TCPSocketWrap, Timeout }, { TCPServerWrap: 1, TCPSocketWrap: 2, Timeout: 1 });
    // The listening socket, the client's and the accepted one: three descriptors.
    if (before.openFds !== undefined) assert.equal(during.openFds! - before.openFds, 3);
  } finally {
    clearTimeout(timer);
    client?.destroy();
    server.close();
  }
  await once(server, 'close');
  // Handles close asynchronously: poll, bounded.
  let afterwards = resourceSnapshot();
  for (let i = 0; i < 200 && Object.keys(handleGrowth(before, afterwards)).length > 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
    afterwards = resourceSnapshot();
  }
  assert.deepEqual(handleGrowth(before, afterwards), {});
  assert.equal(afterwards.openFds, before.openFds);
});

test('memory is reported in MB, and holding 50 MB raises the heap by about that much', () => {
  const before = resourceSnapshot();
  assert.ok(before.rssMb > 10 && before.rssMb < 100_000, `${before.rssMb} MB`);
  assert.ok(before.heapUsedMb > 0 && before.heapUsedMb <= before.rssMb);
  const held = Array.from({ length: 50 }, () => new Array<number>(128 * 1024).fill(1.5));
  const during = resourceSnapshot();
  assert.ok(during.heapUsedMb - before.heapUsedMb >= 45, `${before.heapUsedMb} → ${during.heapUsedMb} MB`);
  assert.equal(held.length, 50);
});
