import { encodeCommand } from '../dimse/command-set.ts';
import type { DimseCommand } from '../dimse/command-set.ts';
import { CommandField, NO_DATA_SET } from '../dimse/command-fields.ts';
import { SopClass } from '../dimse/sop-classes.ts';
import type { RequestContext, ServiceHandler } from './scp.ts';

/** C-ECHO-RSP: Success on a Verification context, 0122 for another SOP class (PS3.7 9.1.5.1.4). */
export function echoResponse(rq: DimseCommand, supported: boolean): DimseCommand {
  return {
    CommandField: CommandField.C_ECHO_RSP,
    ...(rq.AffectedSOPClassUID !== undefined && { AffectedSOPClassUID: rq.AffectedSOPClassUID }),
    MessageIDBeingRespondedTo: rq.MessageID ?? 0,
    CommandDataSetType: NO_DATA_SET,
    Status: supported ? 0x0000 : 0x0122,
  };
}

interface Encoded {
  command: DimseCommand;
  bytes: Buffer;
}

/**
 * The Verification service (PS3.7 9.3.5). A request whose command set was seen before arrives
 * as the same shared, frozen decoding (see MessageAssembler): its response is encoded once.
 */
export function echoService(): ServiceHandler {
  const answered = new WeakMap<DimseCommand, { supported?: Encoded; refused?: Encoded }>();
  return (ctx: RequestContext) => {
    const rq = ctx.message.decoded.command;
    const context = ctx.association.contexts.get(ctx.message.contextId);
    const supported = context?.abstractSyntax === SopClass.Verification && (rq.AffectedSOPClassUID ?? SopClass.Verification) === SopClass.Verification;
    let byRequest: { supported?: Encoded; refused?: Encoded } | undefined;
    if (Object.isFrozen(rq)) {
      byRequest = answered.get(rq);
      if (!byRequest) answered.set(rq, (byRequest = {}));
    }
    const key = supported ? 'supported' : 'refused';
    let rsp = byRequest?.[key];
    if (!rsp) {
      const command = Object.freeze(echoResponse(rq, supported));
      rsp = { command, bytes: encodeCommand(command) };
      if (byRequest) byRequest[key] = rsp;
    }
    ctx.channel.sendEncoded(ctx.message.contextId, rsp.command, rsp.bytes);
  };
}
