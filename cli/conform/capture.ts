import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { encodePcapng } from '../../simulators/trace/pcapng.ts';
import type { JournalConnection } from '../../simulators/trace/journal.ts';

/** The byte-journal lines the scenarios appended, written as one pcapng file (whole or not at all). */
export function writeCapture(journalFile: string, out: string, comment: string): { connections: number; packets: number } {
  const connections: JournalConnection[] = [];
  if (existsSync(journalFile)) {
    for (const line of readFileSync(journalFile, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const c = JSON.parse(line) as Omit<JournalConnection, 'chunks'> & { chunks: { t: number; dir: 'c2s' | 's2c'; b64: string }[] };
      connections.push({ ...c, chunks: c.chunks.map((k) => ({ t: k.t, dir: k.dir, bytes: Buffer.from(k.b64, 'base64') })) });
    }
  }
  const tmp = `${out}.${process.pid}.partial`;
  writeFileSync(tmp, encodePcapng(connections, { comment }));
  renameSync(tmp, out);
  return { connections: connections.length, packets: connections.reduce((n, c) => n + c.chunks.length, 0) };
}
