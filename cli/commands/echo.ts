import chalk from 'chalk';
import { describeStatus } from '../../simulators/dimse/status.ts';
import { DimseClient, verificationContext } from '../../simulators/scu/dimse-client.ts';
import { aeTitle, helpFor, parseArgs, port, requireString } from '../args.ts';
import type { OptionSpec } from '../args.ts';
import { commandTimeouts, describeFailure, timeoutSeconds } from '../command-timeout.ts';
import { ExitCode } from '../exit-codes.ts';
import { errorLine, traceStream } from '../output.ts';
import type { Output } from '../output.ts';

export const echoOptions: OptionSpec[] = [
  { name: 'host', kind: 'string', description: 'peer host', default: '127.0.0.1', valueName: 'HOST' },
  { name: 'port', alias: 'p', kind: 'int', description: 'peer port (11112, where serve listens by default)', default: 11112, valueName: 'PORT' },
  { name: 'called-ae', kind: 'string', description: 'called AE title (the peer; QRSCP, as serve answers by default)', default: 'QRSCP', valueName: 'AE' },
  { name: 'calling-ae', kind: 'string', description: 'calling AE title (us)', default: 'QRHARNESS', valueName: 'AE' },
  { name: 'max-pdu', kind: 'int', description: 'our maximum PDU length (0 = no limit)', default: 16384 },
  { name: 'repeat', kind: 'int', description: 'C-ECHO requests on the association', default: 1 },
  { name: 'timeout', kind: 'int', description: 'bound of every wait in seconds: connect, A-ASSOCIATE-AC, each response, A-RELEASE-RP, ARTIM', default: 30 },
  { name: 'verbose', alias: 'v', kind: 'flag', description: 'trace DIMSE messages and association events' },
  { name: 'debug', alias: 'd', kind: 'flag', description: 'trace every PDU and state transition too' },
  { name: 'help', alias: 'h', kind: 'flag', description: 'show this help' },
];

export const echoUsage = `qr-harness echo --host H --port P --called-ae AE [--calling-ae AE] [options]

Associates, sends C-ECHO (Verification) and releases.

${helpFor(echoOptions)}`;

export async function echoCommand(argv: string[], io: Output): Promise<number> {
  const { options } = parseArgs(argv, echoOptions);
  if (options.help) {
    io.out(echoUsage);
    return ExitCode.Ok;
  }
  const host = requireString(options, 'host');
  const target = port(options.port as number, '--port');
  const called = aeTitle(requireString(options, 'called-ae'), '--called-ae');
  const calling = aeTitle(requireString(options, 'calling-ae'), '--calling-ae');
  const timeoutS = timeoutSeconds(options.timeout as number);
  const events = traceStream(options.debug ? 2 : options.verbose ? 1 : 0, io);
  let client: DimseClient;
  try {
    client = await DimseClient.connect({
      host,
      port: target,
      calledAeTitle: called,
      callingAeTitle: calling,
      presentationContexts: [verificationContext],
      maxPduLength: options['max-pdu'] as number,
      ...commandTimeouts(timeoutS),
      events,
    });
  } catch (e) {
    const f = describeFailure(e, timeoutS, 'C-ECHO');
    io.err(errorLine(`${host}:${target} "${called}": ${f.message}`));
    return f.code;
  }
  let worst = 0;
  try {
    for (let i = 0; i < (options.repeat as number); i++) {
      const started = performance.now();
      const r = await client.echo();
      const ms = (performance.now() - started).toFixed(1);
      const ok = r.status === 0;
      if (!ok) worst = ExitCode.FailureStatus;
      io.out(`${ok ? chalk.green('C-ECHO') : chalk.red('C-ECHO')} ${host}:${target} "${called}": ${describeStatus(r.status)} (${ms} ms)`);
    }
    await client.release();
  } catch (e) {
    const f = describeFailure(e, timeoutS, 'C-ECHO');
    io.err(errorLine(f.message));
    client.abort();
    return f.code;
  }
  return worst;
}
