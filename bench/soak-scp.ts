/**
 * `qr-harness serve` with a probe: runs the serve command in this process and prints, once a
 * second, a JSON line with its resources (RSS, heap, open file descriptors, active handles by
 * type) and the timers alive, unref'd ones included (the protocol timers — ARTIM, DIMSE,
 * idle — never keep the process alive, so the active handles do not show them): what a soak
 * watches to tell a leak from a warm-up. With --expose-gc, a full GC runs before each probe.
 *
 *   node --expose-gc --import tsx bench/soak-scp.ts [serve options…]
 */
import { createHook } from 'node:async_hooks';
import { main } from '../cli/main.ts';
import { resourceSnapshot } from '../simulators/testing/resources.ts';

const timers = new Set<number>();
createHook({
  init(id, type) {
    if (type === 'Timeout') timers.add(id);
  },
  destroy(id) {
    timers.delete(id);
  },
}).enable();

const gc = (globalThis as { gc?: () => void }).gc;
const probe = setInterval(() => {
  gc?.();
  // The probe's own interval is one of the timers: left out.
  process.stdout.write(`${JSON.stringify({ probe: { ...resourceSnapshot(), liveTimers: timers.size - 1 }, at: Date.now() })}\n`);
}, 1000);
const code = await main(['serve', ...process.argv.slice(2)]);
clearInterval(probe);
process.exitCode = code;
