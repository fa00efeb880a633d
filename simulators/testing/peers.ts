/**
 * Real third-party peers for interop tests and benchmarks: DCMTK (dcmqrscp, echoscu, findscu,
 * storescu) and Orthanc, started on 127.0.0.1 with a configuration in a temporary folder and
 * stopped by the PID (process group) we started.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const SEARCH_PATH = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/bin', '/usr/local/bin'];

export function findBinary(name: string): string | undefined {
  for (const dir of SEARCH_PATH) {
    if (!dir) continue;
    const p = path.join(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** REQUIRE_PEERS=1 turns a missing peer from a visible skip into a failure (CI). */
export function peersRequired(): boolean {
  return process.env.REQUIRE_PEERS === '1';
}

/**
 * For `test(name, { skip: peerSkip('dcmqrscp') }, …)`: false when the binaries exist (or are
 * required, so the test runs and fails loudly), otherwise the reason, shown as a skip.
 */
export function peerSkip(...binaries: string[]): string | false {
  const missing = binaries.filter((b) => !findBinary(b));
  if (missing.length === 0 || peersRequired()) return false;
  const reason = `${missing.join(', ')} not installed (apt-get install -y dcmtk orthanc); set REQUIRE_PEERS=1 to make this a failure`;
  process.stderr.write(`NOTICE: interop skipped: ${reason}\n`);
  return reason;
}

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number, name: string, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} before listening:\n${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms:\n${log()}`);
}

export interface RunningPeer {
  name: string;
  host: '127.0.0.1';
  port: number;
  aeTitle: string;
  pid: number;
  dir: string;
  log(): string;
  stop(): Promise<void>;
}

function launch(name: string, binary: string, args: string[], dir: string, port: number, aeTitle: string, env: NodeJS.ProcessEnv = {}): Promise<RunningPeer> {
  const chunks: Buffer[] = [];
  const child = spawn(binary, args, { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TCP_NODELAY: '1', ...env } });
  child.stdout!.on('data', (c: Buffer) => chunks.length < 2000 && chunks.push(c));
  child.stderr!.on('data', (c: Buffer) => chunks.length < 2000 && chunks.push(c));
  const log = () => Buffer.concat(chunks).toString('utf8');
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const killer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 3000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return waitForPort(port, child, 20_000, name, log).then(
    () => ({ name, host: '127.0.0.1' as const, port, aeTitle, pid: child.pid!, dir, log, stop }),
    async (e: unknown) => {
      await stop();
      throw e;
    },
  );
}

function requireBinary(name: string): string {
  const b = findBinary(name);
  if (!b) throw new Error(`${name} is not installed: apt-get install -y dcmtk orthanc`);
  return b;
}

export interface DcmqrscpOptions {
  aeTitle?: string;
  /** Keep the storage area here (created if missing, kept after stop) instead of a fresh temporary one. */
  dataDir?: string;
  maxPduLength?: number;
  /** Serve in one process instead of forking per association. */
  singleProcess?: boolean;
}

/** DCMTK dcmqrscp with a fresh, empty storage area. It binds every interface; we only ever talk to 127.0.0.1. */
export async function startDcmqrscp(o: DcmqrscpOptions = {}): Promise<RunningPeer> {
  const binary = requireBinary('dcmqrscp');
  const aeTitle = o.aeTitle ?? 'DCMQRSCP';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qrh-dcmqrscp-'));
  const db = o.dataDir ?? path.join(dir, 'db');
  mkdirSync(db, { recursive: true });
  const port = await freePort();
  writeFileSync(
    path.join(dir, 'dcmqrscp.cfg'),
    [
      `NetworkTCPPort  = ${port}`,
      `MaxPDUSize      = ${o.maxPduLength ?? 16384}`,
      'MaxAssociations = 64',
      'HostTable BEGIN',
      'HostTable END',
      'VendorTable BEGIN',
      'VendorTable END',
      'AETable BEGIN',
      `${aeTitle} ${db} RW (500, 1024mb) ANY`,
      'AETable END',
      '',
    ].join('\n'),
  );
  // Without -dhl every association waits for a reverse DNS lookup of the peer.
  const args = ['-dhl', '-c', path.join(dir, 'dcmqrscp.cfg')];
  if (o.singleProcess) args.push('--single-process');
  return launch('dcmqrscp', binary, args, dir, port, aeTitle);
}

export interface OrthancOptions {
  aeTitle?: string;
  /** Keep storage and index here (created if missing, kept after stop). */
  dataDir?: string;
  /** Orthanc caps C-FIND answers unless told not to; 0 = no limit. */
  limitFindResults?: number;
  /** Serve the .wl files of this folder with Orthanc's Modality Worklists plugin (shipped with the Debian package). */
  worklistDir?: string;
  /** Enable Orthanc's REST API on 127.0.0.1 (its port in `httpPort`), e.g. to drive its C-FIND SCU. */
  http?: boolean;
}

export const ORTHANC_WORKLIST_PLUGIN = '/usr/share/orthanc/plugins/libModalityWorklists.so';

/** Orthanc with a temporary storage and index, DICOM only (HTTP off), answering every echo/find/store. */
export async function startOrthanc(o: OrthancOptions = {}): Promise<RunningPeer & { httpPort: number }> {
  const binary = requireBinary('Orthanc');
  const aeTitle = o.aeTitle ?? 'ORTHANC';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qrh-orthanc-'));
  const port = await freePort();
  const httpPort = await freePort();
  const config = {
    Name: 'qr-harness-peer',
    StorageDirectory: path.join(o.dataDir ?? dir, 'storage'),
    IndexDirectory: path.join(o.dataDir ?? dir, 'index'),
    DicomAet: aeTitle,
    DicomPort: port,
    HttpServerEnabled: o.http === true,
    HttpPort: httpPort,
    RemoteAccessAllowed: false,
    DicomCheckCalledAet: false,
    DicomAlwaysAllowEcho: true,
    DicomAlwaysAllowFind: true,
    DicomAlwaysAllowStore: true,
    LimitFindResults: o.limitFindResults ?? 0,
    LimitFindInstances: o.limitFindResults ?? 0,
    Plugins: o.worklistDir ? [ORTHANC_WORKLIST_PLUGIN] : [],
    ...(o.worklistDir && { DicomAlwaysAllowFindWorklist: true, Worklists: { Enable: true, Database: o.worklistDir } }),
    StorageCompression: false,
  };
  writeFileSync(path.join(dir, 'orthanc.json'), JSON.stringify(config, null, 2));
  const peer = await launch('Orthanc', binary, [path.join(dir, 'orthanc.json')], dir, port, aeTitle);
  return { ...peer, httpPort };
}

/**
 * DCMTK wlmscpfs serving a worklist folder: `dir` holds one subfolder per AE title (with a
 * lockfile and .wl files, as `qr-harness store export --worklist-ae` writes). `-csk` makes it
 * return the Specific Character Set of its files.
 */
export async function startWlmscpfs(dir: string, aeTitle: string, o: { keepCharset?: boolean } = {}): Promise<RunningPeer> {
  const binary = requireBinary('wlmscpfs');
  const home = mkdtempSync(path.join(os.tmpdir(), 'qrh-wlmscpfs-'));
  const port = await freePort();
  const peer = await launch('wlmscpfs', binary, ['-dhl', ...(o.keepCharset === false ? [] : ['-csk']), '-dfp', dir, String(port)], home, port, aeTitle);
  return peer;
}

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a DCMTK command-line tool to completion (TCP_NODELAY=1 set, as DCMTK needs for speed). */
export function runTool(name: string, args: string[], timeoutMs = 60_000): Promise<ToolResult> {
  const binary = requireBinary(name);
  return new Promise((resolve) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TCP_NODELAY: '1' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** The synchronous version, for short calls in benchmarks. */
export function runToolSync(name: string, args: string[]): ToolResult {
  const r = spawnSync(requireBinary(name), args, { env: { ...process.env, TCP_NODELAY: '1' }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
