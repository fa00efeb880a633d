import { spawn } from 'node:child_process';

/**
 * A query client under test: a command the harness runs against its SCP (placeholders filled
 * in), or — for GUIs and clients driven some other way — a wait for the client to connect.
 */
export interface ClientUnderTest {
  /** Shell command with {host} {port} {aet} (our SCP's AE title) and {calling} (the client's AE title). */
  command?: string;
  /** Without a command: how long to wait for the client to connect and finish (ms). */
  waitMs?: number;
  /** The AE title the client is asked to use ({calling}). */
  callingAeTitle: string;
}

export interface ClientRun {
  /** The command as run, placeholders filled in (undefined when waiting for a client). */
  command: string | undefined;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** The command had to be stopped: it outlived the run's timeout. */
  timedOut: boolean;
  /** The shell could not find the command (exit 127). */
  notFound: boolean;
}

export interface ServedAt {
  host: string;
  port: number;
  aeTitle: string;
}

/** Quotes a value for sh: the placeholders can never inject shell syntax. */
function shellQuote(v: string): string {
  return /^[A-Za-z0-9_.:/@^=+-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

export function fillPlaceholders(template: string, at: ServedAt, calling: string): string {
  const values: Record<string, string> = { host: at.host, port: String(at.port), aet: at.aeTitle, calling };
  return template.replace(/\{(host|port|aet|calling)\}/g, (_, k: string) => shellQuote(values[k]!));
}

const OUTPUT_LIMIT = 256 * 1024;

/**
 * Runs the client command against the SCP at `at` and resolves when it exits, or when
 * `timeoutMs` passes (the command and its children are then killed: SIGTERM, SIGKILL 1 s later).
 */
export function runClientCommand(template: string, at: ServedAt, calling: string, timeoutMs: number): Promise<ClientRun> {
  const command = fillPlaceholders(template, at, calling);
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, TCP_NODELAY: process.env.TCP_NODELAY ?? '1' } });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (c: Buffer) => (stdout.length < OUTPUT_LIMIT ? (stdout += c.toString('utf8')) : undefined));
    child.stderr.on('data', (c: Buffer) => (stderr.length < OUTPUT_LIMIT ? (stderr += c.toString('utf8')) : undefined));
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill('SIGTERM');
      setTimeout(() => kill('SIGKILL'), 1000).unref();
    }, timeoutMs);
    child.on('error', (e) => {
      stderr += `${e.message}\n`;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ command, exitCode: code, signal, stdout, stderr, durationMs: performance.now() - started, timedOut, notFound: code === 127 });
    });
  });
}
