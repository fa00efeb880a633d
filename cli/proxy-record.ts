import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { commandFieldName } from '../simulators/dimse/command-fields.ts';
import type { ProxyEvent } from '../simulators/proxy/events.ts';
import { describePdu } from '../simulators/trace/describe.ts';
import { pduTypeName } from '../simulators/ul/pdu/constants.ts';
import { UsageError } from './args.ts';
import { attributes } from './identifiers.ts';

/**
 * `proxy --record FILE.jsonl`: one JSON line per event, written as it happens — connections
 * opening and closing (endpoints, who closed), every PDU (direction, time, type, length, its
 * bytes in base64), every DIMSE message decoded (AE titles, command, identifier attributes),
 * every fail and finding, and the summary when the proxy stops.
 */
export class ProxyRecord {
  private failed: Error | undefined;

  private constructor(
    private readonly stream: WriteStream,
    readonly file: string,
  ) {
    stream.on('error', (e) => (this.failed ??= e));
  }

  /** Creates (or empties) the file; one that cannot be written is a usage error. */
  static async open(file: string): Promise<ProxyRecord> {
    const stream = createWriteStream(file);
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', (e) => reject(new UsageError(`--record: cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
    });
    return new ProxyRecord(stream, file);
  }

  /** Why writing stopped (disk full …), if it did. */
  get error(): Error | undefined {
    return this.failed;
  }

  write(e: ProxyEvent | RecordExtra): void {
    if (this.failed) return;
    const line = recordLine(e);
    if (line) this.stream.write(`${JSON.stringify(line)}\n`);
  }

  /** Waits for every line to reach the file. */
  close(): Promise<void> {
    return new Promise((resolve) => (this.failed ? resolve() : this.stream.end(() => resolve())));
  }
}

/** Lines the command adds: how it stopped (the connections it sent an A-ABORT), then the summary. */
type RecordExtra = { kind: 'summary' | 'stop'; [k: string]: unknown };

export function recordLine(e: ProxyEvent | RecordExtra): Record<string, unknown> | undefined {
  switch (e.kind) {
    case 'stop':
    case 'summary': {
      const { kind: _, ...rest } = e;
      return { event: e.kind, ...rest };
    }
    case 'listening':
      return { event: 'listening', host: e.host, port: e.port };
    case 'chunk':
      // The PDUs carry the bytes; chunks are the journal's and the capture's.
      return undefined;
    case 'open':
      return { event: 'open', connection: e.connection, t: e.t, client: e.client, server: e.server };
    case 'close':
      return {
        event: 'close',
        connection: e.connection,
        t: e.t,
        client: e.journal.client,
        server: e.journal.server,
        closedBy: e.cause.by,
        how: e.cause.how,
        ...(e.cause.error && { error: e.cause.error }),
        bytes: e.bytes,
        chunks: e.chunks,
      };
    case 'forward-failed':
    case 'observer-failed':
      return { event: 'error', connection: e.connection, t: e.t, code: e.error.code, message: e.error.message };
    case 'pdu':
      return {
        event: 'pdu',
        connection: e.connection,
        t: e.t,
        dir: e.dir,
        offset: e.offset,
        type: e.type,
        name: pduTypeName(e.type),
        length: e.length,
        ...(e.pdu && { summary: describePdu(e.pdu) }),
        ...(e.error && { error: e.error }),
        raw: e.raw.toString('base64'),
      };
    case 'association': {
      const { kind: _, connection, t, ...rest } = e;
      return { event: 'association', connection, t, ...rest };
    }
    case 'message':
      return {
        event: 'message',
        connection: e.connection,
        t: e.t,
        dir: e.dir,
        from: e.from,
        to: e.to,
        contextId: e.contextId,
        name: commandFieldName(e.command.CommandField),
        command: e.command,
        ...(e.transferSyntax && { transferSyntax: e.transferSyntax }),
        ...(e.identifier && { identifier: attributes(e.identifier) }),
        ...(e.identifierError && { identifierError: e.identifierError }),
        ...(e.dataSet && { dataSetLength: e.dataSet.length }),
      };
    case 'finding':
      return { event: e.severity, connection: e.connection, t: e.t, ...(e.dir && { dir: e.dir }), side: e.side, rule: e.rule, code: e.code, text: e.text };
  }
}
