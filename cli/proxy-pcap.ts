import type { ProxyEvent } from '../simulators/proxy/events.ts';
import { PcapngWriter, pcapngFileSink } from '../simulators/trace/pcapng.ts';
import { UsageError } from './args.ts';

/**
 * `proxy --pcap FILE`: the proxied connections as a pcapng capture Wireshark opens with its DICOM
 * dissector, written block by block as the bytes pass (a killed proxy leaves what it had
 * written). A connection whose forward target could not be reached is written whole when it
 * closes. A write that fails stops the capture, not the proxy.
 */
export class ProxyPcap {
  private readonly open = new Set<string>();
  private failed: Error | undefined;

  private constructor(
    private readonly writer: PcapngWriter,
    readonly file: string,
  ) {}

  /** Creates (or empties) the file; one that cannot be written is a usage error. */
  static create(file: string, comment: string): ProxyPcap {
    let sink;
    try {
      sink = pcapngFileSink(file);
    } catch (e) {
      throw new UsageError(`--pcap: cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return new ProxyPcap(new PcapngWriter(sink, { comment }), file);
  }

  /** Why writing stopped, if it did. */
  get error(): Error | undefined {
    return this.failed;
  }

  write(e: ProxyEvent): void {
    if (this.failed) return;
    try {
      if (e.kind === 'open') {
        this.writer.open({ id: e.connection, client: e.client, server: e.server, openedAt: e.t });
        this.open.add(e.connection);
      } else if (e.kind === 'chunk' && this.open.has(e.connection)) {
        this.writer.chunk(e.connection, { t: e.t, dir: e.dir, bytes: e.bytes });
      } else if (e.kind === 'close') {
        if (this.open.delete(e.connection)) this.writer.close(e.connection, e.t, e.journal.closedBy);
        else this.writer.connection(e.journal);
      }
    } catch (err) {
      this.failed = err as Error;
    }
  }

  end(): void {
    try {
      this.writer.end();
    } catch (err) {
      this.failed ??= err as Error;
    }
  }
}
