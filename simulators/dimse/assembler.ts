import { BytesMemo, deepFreeze } from '../wire/bytes-memo.ts';
import { DecodeError } from '../wire/errors.ts';
import { ProtocolError } from '../ul/errors.ts';
import type { PDataTfPdu } from '../ul/pdu/pdus.ts';
import { decodeCommand } from './command-set.ts';
import type { DecodedCommand } from './command-set.ts';
import { NO_DATA_SET } from './command-fields.ts';

export interface AssembledMessage {
  contextId: number;
  commandBytes: Buffer;
  decoded: DecodedCommand;
  dataSetBytes: Buffer | undefined;
  /** Breaches of PS3.8 Annex E seen while reassembling (reported, not fatal). */
  problems: string[];
  /** The P-DATA-TF PDUs that carried the message, when kept. */
  rawPdus: Buffer[] | undefined;
}

type Phase = 'idle' | 'command' | 'dataset';

/**
 * Reassembles DIMSE messages from PDVs split in any way (PS3.8 Annex E): several PDVs per PDU,
 * fragments cut anywhere. Breaking the encapsulation rules in a way that leaves the message
 * ambiguous is a ProtocolError (the association is aborted); lesser breaches are listed.
 */
export class MessageAssembler {
  private phase: Phase = 'idle';
  private contextId = -1;
  private chunks: Buffer[] = [];
  private decoded: DecodedCommand | undefined;
  private commandBytes: Buffer | undefined;
  /** Made on the first breach of a message: most messages have none. */
  private problems: string[] | undefined;
  private rawPdus: Buffer[] = [];

  /**
   * `commands`: command sets decoded before, shared (frozen) with other assemblers when given.
   * A stream of Pendings repeats one command set, and a peer that associates again and again
   * sends the same C-ECHO-RQ each time.
   */
  constructor(
    /** The accepted presentation context IDs (a set, or the association's map of contexts). */
    private readonly acceptedContexts: { has(contextId: number): boolean },
    private readonly keepRawPdus = false,
    private readonly commands: BytesMemo<DecodedCommand> = new BytesMemo(8),
  ) {}

  /** True while part of a message has arrived. */
  get inProgress(): boolean {
    return this.phase !== 'idle';
  }

  push(pdu: PDataTfPdu, raw: Buffer | undefined, onMessage: (m: AssembledMessage) => void): void {
    if (this.keepRawPdus && raw) this.rawPdus.push(raw);
    for (const pdv of pdu.pdvs) {
      if (!this.acceptedContexts.has(pdv.contextId)) {
        throw new ProtocolError('UL_INVALID_PDU_PARAMETER', `PDV on presentation context ${pdv.contextId}, which was not accepted (PS3.8 E.1)`, 6);
      }
      const mch = pdv.messageControlHeader;
      const isCommand = (mch & 0x01) === 1;
      const isLast = (mch & 0x02) === 2;
      if ((mch & 0xfc) !== 0) this.problem(`message control header 0x${mch.toString(16)} has reserved bits set (PS3.8 E.2)`);
      if (pdv.data.length === 0) this.problem('a PDV holds only the message control header (PS3.8 E.1)');
      if (pdv.data.length % 2 === 1) this.problem(`a ${isCommand ? 'command' : 'data set'} fragment has an odd length ${pdv.data.length} (PS3.8 E.1)`);
      if (this.phase !== 'idle' && pdv.contextId !== this.contextId) {
        throw new ProtocolError(
          'UL_INVALID_PDU_PARAMETER',
          `a fragment on presentation context ${pdv.contextId} interrupts a message on context ${this.contextId} (PS3.8 E.1)`,
          6,
        );
      }
      if (isCommand) {
        if (this.phase === 'dataset') throw new ProtocolError('UL_INVALID_PDU_PARAMETER', 'a command fragment arrived while a data set was expected (PS3.8 E.1)', 6);
        this.phase = 'command';
        this.contextId = pdv.contextId;
        this.chunks.push(pdv.data as Buffer);
        if (isLast) this.commandComplete(onMessage);
      } else {
        if (this.phase !== 'dataset') {
          throw new ProtocolError(
            'UL_INVALID_PDU_PARAMETER',
            this.phase === 'idle' ? 'a data set fragment arrived without a command (PS3.8 E.1)' : 'a data set fragment arrived before the last command fragment (PS3.7 6.3)',
            6,
          );
        }
        this.chunks.push(pdv.data as Buffer);
        if (isLast) this.complete(Buffer.concat(this.chunks), onMessage);
      }
    }
  }

  private problem(text: string): void {
    (this.problems ??= []).push(text);
  }

  private commandComplete(onMessage: (m: AssembledMessage) => void): void {
    const bytes = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    let decoded = this.commands.find(bytes);
    if (!decoded) {
      try {
        decoded = this.commands.add(bytes, (copy) => deepFreeze(decodeCommand(copy)));
      } catch (e) {
        if (e instanceof DecodeError) throw new ProtocolError('UL_INVALID_PDU_PARAMETER', `undecodable command set: ${e.message}`, 6, e);
        throw e;
      }
    }
    this.commandBytes = bytes;
    this.decoded = decoded;
    if (decoded.command.CommandDataSetType === NO_DATA_SET || decoded.command.CommandDataSetType === undefined) {
      this.complete(undefined, onMessage);
    } else {
      this.phase = 'dataset';
    }
  }

  private complete(dataSetBytes: Buffer | undefined, onMessage: (m: AssembledMessage) => void): void {
    const m: AssembledMessage = {
      contextId: this.contextId,
      commandBytes: this.commandBytes!,
      decoded: this.decoded!,
      dataSetBytes,
      problems: !this.problems ? [] : this.problems.length > 1 ? collapse(this.problems) : this.problems,
      rawPdus: this.keepRawPdus ? this.rawPdus : undefined,
    };
    this.phase = 'idle';
    this.chunks = [];
    this.problems = undefined;
    if (this.keepRawPdus) this.rawPdus = [];
    this.decoded = undefined;
    this.commandBytes = undefined;
    onMessage(m);
  }
}

/** The same breach in many fragments is one problem, with its count. */
function collapse(problems: string[]): string[] {
  const counts = new Map<string, number>();
  for (const p of problems) counts.set(p, (counts.get(p) ?? 0) + 1);
  return [...counts].map(([p, n]) => (n > 1 ? `${p} (${n} fragments)` : p));
}
