import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { commandFieldName } from '../simulators/dimse/command-fields.ts';
import type { EventStream } from '../simulators/events/event-stream.ts';
import type { TraceEvent } from '../simulators/trace/format.ts';
import { UsageError } from './args.ts';
import type { AssociationBook } from './identifiers.ts';

/**
 * `serve --record FILE`: every DIMSE message as one JSON line, with the AE titles of its
 * association, its identifier decoded (`identifier`: tag, keyword, VR, value) and its bytes in hex
 * (`dataSet`).
 */
export class RecordFile {
  private constructor(
    private readonly stream: WriteStream,
    private readonly unsubscribe: () => void,
  ) {}

  /** Creates (or empties) the file; one that cannot be written is a usage error. */
  static async open(file: string, events: EventStream<TraceEvent>, book: AssociationBook): Promise<RecordFile> {
    const stream = createWriteStream(file);
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', (e) => reject(new UsageError(`--record: cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
    });
    const unsubscribe = events.subscribe(
      (e) => {
        if (e.kind !== 'dimse:received' && e.kind !== 'dimse:sent') return;
        const info = book.get(e.associationId);
        const decoded = book.decode(e);
        const line = {
          associationId: e.associationId,
          callingAeTitle: info?.callingAeTitle,
          calledAeTitle: info?.calledAeTitle,
          direction: e.kind === 'dimse:sent' ? 'sent' : 'received',
          at: e.at,
          contextId: e.contextId,
          name: commandFieldName(e.command.CommandField),
          command: e.command,
          ...(decoded && { transferSyntax: decoded.transferSyntax }),
          ...(decoded && ('attributes' in decoded ? { identifier: decoded.attributes } : { identifierError: decoded.error })),
          dataSet: e.dataSet?.toString('hex'),
          problems: e.problems,
        };
        stream.write(`${JSON.stringify(line)}\n`);
      },
      ['dimse:received', 'dimse:sent'],
    );
    return new RecordFile(stream, unsubscribe);
  }

  /** Stops recording and waits for every line to reach the file. */
  close(): Promise<void> {
    this.unsubscribe();
    return new Promise((resolve) => this.stream.end(() => resolve()));
  }
}
