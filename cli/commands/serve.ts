import chalk from 'chalk';
import { Scp } from '../../simulators/scp/scp.ts';
import { aeTitle, helpFor, parseArgs, port, requireString } from '../args.ts';
import type { OptionSpec } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import { errorLine, traceStream } from '../output.ts';
import type { Output } from '../output.ts';

export const serveOptions: OptionSpec[] = [
  { name: 'port', alias: 'p', kind: 'int', description: 'TCP port to listen on (0 picks a free one)', default: 11112, valueName: 'PORT' },
  { name: 'host', kind: 'string', description: 'address to listen on', default: '127.0.0.1', valueName: 'HOST' },
  { name: 'ae-title', kind: 'string', description: 'our AE title; other called AE titles are rejected 1/1/7', default: 'QRSCP', valueName: 'AE' },
  { name: 'calling-ae', kind: 'list', description: 'accept only these calling AE titles (repeatable); others are rejected 1/1/3', valueName: 'AE' },
  { name: 'max-pdu', kind: 'int', description: 'our maximum PDU length (0 = no limit)', default: 16384 },
  { name: 'artim', kind: 'int', description: 'ARTIM timeout in seconds', default: 30 },
  { name: 'quiet', alias: 'q', kind: 'flag', description: 'print nothing per association' },
  { name: 'verbose', alias: 'v', kind: 'flag', description: 'trace DIMSE messages and association events' },
  { name: 'debug', alias: 'd', kind: 'flag', description: 'trace every PDU and state transition too' },
  { name: 'help', alias: 'h', kind: 'flag', description: 'show this help' },
];

export const serveUsage = `qr-harness serve --port P --ae-title AE [options]

Runs an SCP that accepts associations and answers C-ECHO, until interrupted (Ctrl-C).

${helpFor(serveOptions)}`;

export async function serveCommand(argv: string[], io: Output, stop: Promise<void> = signalled()): Promise<number> {
  const { options } = parseArgs(argv, serveOptions);
  if (options.help) {
    io.out(serveUsage);
    return ExitCode.Ok;
  }
  const ae = aeTitle(requireString(options, 'ae-title'), '--ae-title');
  const callingAeTitles = ((options['calling-ae'] as string[] | undefined) ?? []).map((a) => aeTitle(a, '--calling-ae'));
  const events = traceStream(options.debug ? 2 : options.verbose ? 1 : 0, io);
  if (!options.quiet) events.subscribe((e) => {
    if (e.kind !== 'association') return;
    if (e.phase === 'established') io.out(`${chalk.green('accepted')} ${e.associationId} "${e.request.callingAeTitle}" → "${e.request.calledAeTitle}"`);
    if (e.phase === 'rejected') io.out(`${chalk.yellow('rejected')} ${e.associationId}: ${e.description}`);
    if (e.phase === 'released') io.out(`${chalk.dim('released')} ${e.associationId}`);
    if (e.phase === 'aborted') io.out(`${chalk.red('aborted')} ${e.associationId}: ${e.description}`);
  }, ['association']);
  const scp = new Scp({
    aeTitle: ae,
    policy: { maxPduLength: options['max-pdu'] as number, ...(callingAeTitles.length > 0 && { callingAeTitles }) },
    timeouts: { artimMs: (options.artim as number) * 1000 },
    events,
  });
  let bound: number;
  try {
    bound = await scp.listen(port(options.port as number, '--port'), requireString(options, 'host'));
  } catch (e) {
    io.err(errorLine(`cannot listen on ${options.host}:${options.port}: ${(e as Error).message}`));
    return ExitCode.Connection;
  }
  io.out(`${chalk.bold(`SCP "${ae}"`)} listening on ${options.host}:${bound} (C-ECHO)`);
  await stop;
  await scp.close();
  io.out('stopped');
  return ExitCode.Ok;
}

function signalled(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
