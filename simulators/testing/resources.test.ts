/** The resource probe counts what the process really holds: sockets, timers, descriptors, memory. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { readdirSync, readlinkSync } from 'node:fs';
import { handleGrowth, resourceSnapshot } from './resources.ts';

/** Sockets among this process's descriptors: unlike files, nothing else here opens or closes them meanwhile. */
function socketFds(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:');
      } catch {
        return false;
      }
    }).length;
  } catch {
    return undefined;
  }
}

test('a listening server, a connection and a timer each show up, as handles and descriptors, and are gone once closed', async () => {
  const before = resourceSnapshot();
  const socketsBefore = socketFds();
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
    // The listening socket, the client's and the accepted one: three more descriptors, all sockets.
    if (before.openFds !== undefined) {
      assert.ok(during.openFds! - before.openFds >= 2, `${before.openFds} → ${during.openFds} descriptors`);
      assert.equal(socketFds()! - socketsBefore!, 3);
    }
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
  // Other descriptors (files the runtime reads) come and go meanwhile: the sockets are what this test made.
  if (socketsBefore !== undefined) assert.equal(socketFds(), socketsBefore);
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
