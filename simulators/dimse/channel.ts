import type { Clock } from '../clock/clock.ts';
import type { BytesMemo } from '../wire/bytes-memo.ts';
import type { EventSink } from '../events/event-stream.ts';
import { ProtocolError } from '../ul/errors.ts';
import type { Association } from '../ul/association/association.ts';
import type { UlEvent } from '../ul/events.ts';
import { MessageAssembler } from './assembler.ts';
import type { AssembledMessage } from './assembler.ts';
import { encodeCommand } from './command-set.ts';
import type { DecodedCommand, DimseCommand, EncodeCommandOptions } from './command-set.ts';
import type { DimseEvent } from './events.ts';
import { fragmentMessage } from './fragmenter.ts';
import type { FragmentOptions } from './fragmenter.ts';

export interface SendOptions extends FragmentOptions {
  command?: EncodeCommandOptions;
}

/**
 * DIMSE messaging over one association: commands and data sets out, fragmented for the peer's
 * Maximum Length; PDVs in, reassembled into messages. Reports each message on the event stream.
 */
export class DimseChannel {
  private readonly assembler: MessageAssembler;
  private listener: ((m: AssembledMessage) => void) | undefined;

  constructor(
    readonly association: Association,
    private readonly events: EventSink<DimseEvent | UlEvent>,
    private readonly clock: Clock,
    opts: { keepRawPdus?: boolean; commandMemo?: BytesMemo<DecodedCommand> } = {},
  ) {
    this.assembler = new MessageAssembler(association.contexts, opts.keepRawPdus ?? false, opts.commandMemo);
    association.onPData((pdu, raw) => {
      try {
        this.assembler.push(pdu, raw, (m) => this.deliver(m));
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        association.protocolAbort(e);
      }
    });
  }

  onMessage(listener: (m: AssembledMessage) => void): void {
    this.listener = listener;
  }

  /** Encodes, fragments and sends one message. The command set is always Implicit VR Little Endian (PS3.7 6.3.1). */
  send(contextId: number, command: DimseCommand, dataSet?: Buffer, o: SendOptions = {}): void {
    this.sendEncoded(contextId, command, encodeCommand(command, o.command), dataSet, o);
  }

  /** Sends a message whose command set is already encoded (the same bytes for every Pending of an operation). */
  sendEncoded(contextId: number, command: DimseCommand, commandBytes: Buffer, dataSet?: Buffer, o: FragmentOptions = {}): void {
    for (const p of fragmentMessage(contextId, commandBytes, dataSet, this.association.peerMaxPduLength, o)) {
      this.association.sendPData(p.pdu, p.raw);
    }
    if (this.events.wants('dimse:sent')) {
      this.events.emit({
        kind: 'dimse:sent',
        associationId: this.association.id,
        at: this.clock.now(),
        contextId,
        command,
        commandBytes,
        dataSet,
        problems: [],
      });
    }
  }

  private deliver(m: AssembledMessage): void {
    if (this.events.wants('dimse:received')) {
      this.events.emit({
        kind: 'dimse:received',
        associationId: this.association.id,
        at: this.clock.now(),
        contextId: m.contextId,
        command: m.decoded.command,
        commandBytes: m.commandBytes,
        dataSet: m.dataSetBytes,
        problems: [...m.problems, ...m.decoded.problems],
      });
    }
    this.listener?.(m);
  }
}
