import type { DimseCommand } from './command-set.ts';

interface Base {
  associationId: string;
  at: number;
}

/** A whole DIMSE message went out or came in. `dataSet` is the encoded data set (identifier), when there is one. */
export type DimseMessageEvent = Base & {
  kind: 'dimse:sent' | 'dimse:received';
  contextId: number;
  command: DimseCommand;
  commandBytes: Buffer;
  dataSet: Buffer | undefined;
  /** Encapsulation or command-set breaches noticed on receipt. */
  problems: string[];
};

export type DimseEvent = DimseMessageEvent;
