import { describeStatus } from '../simulators/dimse/status.ts';
import type { AssociationRule, Behaviour, Delay, RespondStep, Scenario, ScuStep } from '../simulators/scenario/types.ts';

/** `scenario describe FILE`: what the scenario's store holds and what its SCP and SCU do, in words. */
export function describeScenario(s: Scenario): string[] {
  const c = s.store.counts;
  const lines = [`${s.name}${s.description ? ` — ${s.description}` : ''}`, `  file: ${s.file}`];
  lines.push(`  store: ${c.patients} patients, ${c.studies} studies, ${c.series} series, ${c.instances} instances, ${c.worklist} worklist items`);
  if (s.scp) lines.push(...describeScp(s.scp));
  if (s.scu) lines.push(...describeScu(s.scu));
  if (s.load?.mix?.length) lines.push(...describeLoadMix(s.load.mix));
  return lines;
}

function describeLoadMix(mix: NonNullable<NonNullable<Scenario['load']>['mix']>): string[] {
  const total = mix.reduce((a, m) => a + (m.weight ?? 1), 0);
  const lines = [`  load mix (qr-harness load --scenario), ${mix.length} session kind${mix.length === 1 ? '' : 's'}, each one association:`];
  mix.forEach((m, i) => {
    lines.push(`    ${m.name ?? `session-${i + 1}`}, weight ${m.weight ?? 1} of ${total}:`);
    m.steps.forEach((st, k) => lines.push(`      ${k + 1}. ${scuStep(st)}`));
  });
  return lines;
}

function describeScp(scp: NonNullable<Scenario['scp']>): string[] {
  const settings = [`port ${scp.port ?? '11112 (or --port)'}`, `profile ${scp.profile ?? 'strict'}`];
  if (scp.timezone) settings.push(`timezone ${scp.timezone}`);
  if (scp.maxPduLength !== undefined) settings.push(`maximum PDU ${scp.maxPduLength}`);
  if (scp.retrieveAeTitle) settings.push(`Retrieve AE Title "${scp.retrieveAeTitle}"`);
  const lines = [`  SCP "${scp.aeTitle}": ${settings.join(', ')}`];
  if (scp.callingAeTitles) lines.push(`    accepts calling AE titles ${scp.callingAeTitles.map((a) => `"${a}"`).join(', ')} only (others rejected 1/1/3)`);
  if (scp.sopClasses) lines.push(`    accepts SOP classes ${scp.sopClasses.join(', ')}`);
  if (scp.transferSyntaxes) lines.push(`    accepts transfer syntaxes ${scp.transferSyntaxes.join(', ')}`);
  const declined = Object.entries(scp.extendedNegotiation ?? {}).filter(([, on]) => on === false);
  if (declined.length) lines.push(`    declines extended negotiation: ${declined.map(([k]) => k).join(', ')}`);
  if (scp.timeouts) lines.push(`    timeouts: ${Object.entries(scp.timeouts).map(([k, v]) => `${k.replace(/Ms$/, '')} ${v} ms`).join(', ')}`);
  const rules = scp.association ?? [];
  if (rules.length) {
    lines.push('    association rules (the first that matches applies):');
    rules.forEach((r, i) => lines.push(`      ${i + 1}. ${when(associationWhen(r))}${associationAction(r)}`));
  }
  const behaviours = scp.behaviours ?? [];
  if (behaviours.length) {
    lines.push('    behaviours (the first that matches answers a C-FIND):');
    behaviours.forEach((b, i) => lines.push(`      ${i + 1}. ${b.name ? `"${b.name}": ` : ''}${when(behaviourWhen(b))}${b.respond.map(step).join('; ')}${b.times ? ` (${b.times} time${b.times === 1 ? '' : 's'})` : ''}${b.setState ? `, then state "${b.setState}"` : ''}`));
  }
  lines.push(`    ${behaviours.length ? 'otherwise' : 'every C-FIND'}: the store answers and a C-CANCEL is honoured`);
  return lines;
}

function when(conditions: string[]): string {
  return conditions.length ? `when ${conditions.join(', ')}: ` : 'always: ';
}

function associationWhen(r: AssociationRule): string[] {
  const w = r.when ?? {};
  return [w.callingAeTitle && `calling AE "${w.callingAeTitle}"`, w.calledAeTitle && `called AE "${w.calledAeTitle}"`, w.nth !== undefined && `association number ${w.nth}`].filter((x): x is string => typeof x === 'string');
}

function associationAction(r: AssociationRule): string {
  if (r.reject) return `reject (result ${r.reject.result}, source ${r.reject.source}, reason ${r.reject.reason})${r.reject.delayMs !== undefined ? ` after ${delay(r.reject.delayMs)}` : ''}`;
  const a = r.accept ?? {};
  if (a.never) return 'never answer the A-ASSOCIATE-RQ';
  const parts = ['accept'];
  if (a.delayMs !== undefined) parts.push(`after ${delay(a.delayMs)}`);
  if (a.maxPduLength !== undefined) parts.push(`announcing a maximum PDU of ${a.maxPduLength}`);
  if (a.contexts) parts.push(`with context results ${Object.entries(a.contexts).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  if (a.abortAfterMs !== undefined) parts.push(`then A-ABORT ${a.abortAfterMs} ms after the A-ASSOCIATE-AC`);
  if (a.releaseAfterMs !== undefined) parts.push(`then A-RELEASE-RQ ${a.releaseAfterMs} ms after the A-ASSOCIATE-AC`);
  return parts.join(' ');
}

function behaviourWhen(b: Behaviour): string[] {
  const w = b.when ?? {};
  const out: string[] = [];
  if (w.model) out.push(`model ${w.model}`);
  if (w.level) out.push(`level ${w.level}`);
  if (w.callingAeTitle) out.push(`calling AE "${w.callingAeTitle}"`);
  for (const [k, v] of Object.entries(w.identifier ?? {})) out.push(`${k} ${JSON.stringify(v)}`);
  if (w.missing?.length) out.push(`without ${w.missing.join(', ')}`);
  if (w.state) out.push(`state "${w.state}"`);
  if (w.nth !== undefined) out.push(`request number ${w.nth}`);
  return out;
}

function delay(d: Delay): string {
  return typeof d === 'number' ? `${d} ms` : `${d[0]}–${d[1]} ms`;
}

function step(s: RespondStep): string {
  if ('pending' in s) {
    const what = s.pending === 'matches' ? "the store's matches as Pendings" : typeof s.pending === 'number' ? `${s.pending} Pending${s.pending === 1 ? '' : 's'}` : `${s.pending.length} scripted Pending${s.pending.length === 1 ? '' : 's'}`;
    const timing = [s.firstDelayMs !== undefined && `the first after ${delay(s.firstDelayMs)}`, s.delayMs !== undefined && `${delay(s.delayMs)} apart`].filter(Boolean);
    return `${what}${s.status !== undefined ? ` (status ${describeStatus(s.status)})` : ''}${timing.length ? `, ${timing.join(', ')}` : ''}`;
  }
  if ('final' in s) {
    const extra = [s.errorComment && `Error Comment "${s.errorComment}"`, s.offendingElement && `Offending Element ${s.offendingElement.join(', ')}`, s.errorId !== undefined && `Error ID ${s.errorId}`, s.identifier && 'with an Identifier'].filter(Boolean);
    return `final ${describeStatus(s.final)}${extra.length ? ` (${extra.join(', ')})` : ''}`;
  }
  if ('cancel' in s) return s.cancel === 'ignore' ? 'a C-CANCEL is ignored' : s.cancel === 'honour' ? 'a C-CANCEL is honoured' : `a C-CANCEL is honoured after ${s.cancel.after} more Pendings`;
  if ('fault' in s) return s.fault === 'none' ? 'no wire fault from here' : `wire fault ${s.fault}`;
  if ('send' in s) return `send ${typeof s.send === 'string' ? s.send : s.send.hex !== undefined ? `the bytes ${s.send.hex}` : `the bytes of ${s.send.file}`}`;
  if ('abort' in s) return `A-ABORT${typeof s.abort === 'object' ? ` (source ${s.abort.source ?? 0}, reason ${s.abort.reason ?? 0})` : ''}`;
  if ('close' in s) return `drop the connection${typeof s.close === 'object' && s.close.afterBytes !== undefined ? ` after ${s.close.afterBytes} bytes of a PDU` : ''}`;
  if ('releaseRequest' in s) return 'send A-RELEASE-RQ';
  return `wait ${delay(s.delayMs)}`;
}

function describeScu(scu: NonNullable<Scenario['scu']>): string[] {
  const lines = [`  SCU "${scu.callingAeTitle ?? 'QRHARNESS'}" → "${scu.calledAeTitle ?? 'its own SCP'}", ${scu.steps.length} step${scu.steps.length === 1 ? '' : 's'}:`];
  scu.steps.forEach((s, i) => lines.push(`    ${i + 1}. ${scuStep(s)}`));
  return lines;
}

function scuStep(s: ScuStep): string {
  if ('echo' in s) return 'C-ECHO';
  if ('release' in s) return 'release';
  if ('abort' in s) return 'A-ABORT';
  if ('delayMs' in s) return `wait ${delay(s.delayMs)}`;
  const f = s.find;
  const parts = [`C-FIND ${f.model}${f.level ? ` ${f.level}` : ''}`];
  if (f.identifier) parts.push(Object.entries(f.identifier).map(([k, v]) => (v === '' ? k : `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)).join(' '));
  if (f.invalid) parts.push(`(invalid on purpose: ${f.invalid})`);
  if (f.cancel) parts.push(`then C-CANCEL${f.cancel.after !== undefined ? ` after ${f.cancel.after} Pendings` : ''}${f.cancel.afterFinal ? ' after the final response' : ''}${f.cancel.twice ? ' twice' : ''}${f.cancel.wrongMessageId ? ' with a Message ID never sent' : ''}`);
  if (f.abortAfter !== undefined) parts.push(`then A-ABORT after ${f.abortAfter} Pendings`);
  if (f.releaseAfter !== undefined) parts.push(`then release after ${f.releaseAfter} Pendings`);
  if (f.concurrent) parts.push(`${f.concurrent} at once`);
  const e = f.expect;
  if (e) {
    const expected = [e.final !== undefined && `final ${describeStatus(e.final).split(' ')[0]}`, e.pendings !== undefined && `${e.pendings} Pending${e.pendings === 1 ? '' : 's'}`, e.minPendings !== undefined && `at least ${e.minPendings} Pendings`, e.maxPendings !== undefined && `at most ${e.maxPendings} Pendings`].filter(Boolean);
    if (expected.length) parts.push(`— expects ${expected.join(', ')}`);
  }
  return parts.join(' ');
}
