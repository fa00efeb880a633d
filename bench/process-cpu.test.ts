import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { cpuMicrosOfStat, processCpuMicros } from './process-cpu.ts';

test('cpuMicrosOfStat adds utime, stime, cutime and cstime, after a command name with spaces and parentheses', () => {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
  const line = '4242 (my (odd) name) S 1 4242 4242 0 -1 4194304 100 0 0 0 12 3 40 5 20 0 1 0 100 0 0';
  assert.equal(cpuMicrosOfStat(line), (12 + 3 + 40 + 5) * 10_000);
  assert.equal(cpuMicrosOfStat('4242 (truncated) S 1 2'), undefined);
  assert.equal(cpuMicrosOfStat('no parenthesis at all'), undefined);
});

test('processCpuMicros reads a live process and grows with its work', { skip: !fs.existsSync('/proc/self/stat') && 'no /proc here' }, () => {
  const before = processCpuMicros(process.pid);
  assert.notEqual(before, undefined);
  // Burn 50 ms of CPU as this process itself counts it, then /proc must show it too (to its 10 ms ticks).
  const start = process.cpuUsage();
  while (process.cpuUsage(start).user < 50_000) Math.sqrt(Math.random());
  const after = processCpuMicros(process.pid)!;
  assert.ok(after >= before! + 30_000, `expected ≥ 30 ms more CPU, got ${(after - before!) / 1000} ms`);
  assert.equal(processCpuMicros(2 ** 22 + 12345), undefined); // above the kernel's pid limit: no such process
});
