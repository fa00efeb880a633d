import type { DataSet } from '../dataset/data-set.ts';
import { decodeDataSet } from '../dataset/decode.ts';
import { DataSetError } from '../dataset/errors.ts';
import { transferSyntax } from '../dataset/transfer-syntax.ts';
import { CommandField, NO_DATA_SET } from '../dimse/command-fields.ts';
import type { DimseCommand } from '../dimse/command-set.ts';
import { FIND_MODELS } from '../dimse/find.ts';
import type { FindModel } from '../dimse/find.ts';
import { keyType } from '../matching/key-types.ts';
import type { Level } from '../store/entities.ts';
import { LEVEL_ORDER, UNIQUE_KEY } from '../store/entities.ts';
import { NON_KEY_ATTRIBUTES, levelOfAttribute } from '../store/levels.ts';
import { judgeCharacterSet, judgeKeys, keyName, observation, quoted, shown } from './query-values.ts';
import type { Judged, RequestNegotiation, SentKey } from './query-values.ts';
import type { Observation } from './verdict.ts';

export type { RequestNegotiation } from './query-values.ts';

/**
 * Judges one C-FIND request as a query client under test sent it: the command (PS3.7 9.1.2.1,
 * Table 9.3-3), the identifier's encoding and values (PS3.5; PS3.4 C.2.2.2), its level and the
 * keys the hierarchical search allows (PS3.4 C.4.1.1.3.1, C.4.1.2), or the worklist's
 * (PS3.4 Annex K). Fails are mandatory rules broken; findings are what the standard leaves open.
 */
export interface FindRequestInput {
  model: FindModel;
  command: DimseCommand;
  /** The identifier as it arrived (undefined when none did). */
  identifierBytes: Buffer | undefined;
  /** The transfer syntax of the presentation context the request travelled on. */
  transferSyntaxUid: string;
  negotiated?: RequestNegotiation;
}

export interface FindRequestJudgement {
  fails: Observation[];
  findings: Observation[];
  identifier?: DataSet;
  /** The Query/Retrieve Level sent (WORKLIST for the worklist model), when there is one to judge by. */
  level?: string;
}

const QR_LEVEL = 0x00080052;
const PRIORITIES = new Set([0x0000, 0x0001, 0x0002]);

/** PS3.7 9.1.2.1 and Table 9.3-3: the C-FIND-RQ command set. */
function judgeCommand(input: FindRequestInput, out: Judged): void {
  const c = input.command;
  const expected = FIND_MODELS[input.model].sopClassUid;
  if (c.CommandField !== CommandField.C_FIND_RQ) out.fails.push(observation('command-field', 'PS3.7 Table 9.3-3', [52], `Command Field is 0x${(c.CommandField ?? 0).toString(16).padStart(4, '0')}, not 0x0020 (C-FIND-RQ)`));
  if (c.AffectedSOPClassUID === undefined) out.fails.push(observation('sop-class-missing', 'PS3.7 Table 9.3-3', [52], 'Affected SOP Class UID (0000,0002) is missing'));
  // PS3.4 C.4.1.1.1: the SOP class is that of the presentation context's abstract syntax.
  else if (c.AffectedSOPClassUID !== expected) out.fails.push(observation('sop-class-mismatch', 'PS3.4 C.4.1.1.1', [52, 62], `Affected SOP Class UID "${c.AffectedSOPClassUID}" is not the context's abstract syntax ${expected} (${FIND_MODELS[input.model].name})`));
  if (c.MessageID === undefined) out.fails.push(observation('message-id-missing', 'PS3.7 Table 9.3-3', [52, 56], 'Message ID (0000,0110) is missing'));
  if (c.Priority === undefined) out.fails.push(observation('priority-missing', 'PS3.7 Table 9.3-3', [52], 'Priority (0000,0700) is missing'));
  else if (!PRIORITIES.has(c.Priority)) out.fails.push(observation('priority-invalid', 'PS3.7 Table 9.3-3', [52], `Priority is ${c.Priority}, not 0 (MEDIUM), 1 (HIGH) or 2 (LOW)`));
  // PS3.7 9.1.2.1: the Identifier is mandatory in the request.
  if (c.CommandDataSetType === NO_DATA_SET) out.fails.push(observation('no-identifier-announced', 'PS3.7 Table 9.3-3', [52], 'Command Data Set Type is 0x0101 (no data set): a C-FIND-RQ carries an Identifier'));
  else if (input.identifierBytes === undefined) out.fails.push(observation('identifier-missing', 'PS3.7 9.1.2.1', [52], `Command Data Set Type 0x${c.CommandDataSetType.toString(16).padStart(4, '0')} announces an Identifier, but none arrived`));
}

/** PS3.4 C.4.1.1.3.1: what the request identifier holds besides keys. */
function judgeNonKeys(ds: DataSet, negotiated: RequestNegotiation, out: Judged): void {
  if (ds.has('InstanceAvailability')) out.fails.push(observation('instance-availability-in-request', 'PS3.4 C.4.1.1.3.2', [99], `${keyName(0x00080056)} is in the request; it belongs to responses only`));
  if (ds.has('QueryRetrieveView') && !negotiated.enhanced) out.fails.push(observation('view-not-negotiated', 'PS3.4 C.4.1.1.3.1', [99, 103], `${keyName(0x00080053)} ${quoted(ds.values('QueryRetrieveView') ?? [])} is sent, but Enhanced Multi-Frame Image Conversion was not negotiated`));
  if (ds.isZeroLength('TimezoneOffsetFromUTC')) out.fails.push(observation('timezone-empty', 'PS3.4 C.4.1.1.3.1', [89, 99], `${keyName(0x00080201)} is zero-length; it is sent with a value or not at all`));
}

/** The level of the model an attribute is a key of (C.3.2: in Study Root the patient's are study keys). */
function keyLevel(model: FindModel, keyword: string): Level | undefined {
  const level = levelOfAttribute(keyword);
  return model === 'study' && level === 'PATIENT' ? 'STUDY' : level;
}

/** PS3.4 C.4.1.1.3.1, C.6: Query/Retrieve Level present, single-valued and one of the model's levels. */
function judgeLevel(model: FindModel, keys: Map<number, SentKey>, out: Judged): Level | undefined {
  const levels = FIND_MODELS[model].levels as readonly Level[];
  const key = keys.get(QR_LEVEL);
  if (!key) {
    out.fails.push(observation('level-missing', 'PS3.4 C.4.1.1.3.1', [64, 99], `${keyName(QR_LEVEL)} is missing`));
    return undefined;
  }
  if (key.values.length !== 1) {
    out.fails.push(observation(key.values.length ? 'level-multivalued' : 'level-invalid', 'PS3.4 C.4.1.1.3.1', [64, 99], `${keyName(QR_LEVEL)} is ${quoted(key.values)}: one level is needed`));
    return undefined;
  }
  const level = key.values[0]!.trim() as Level;
  if (!levels.includes(level)) {
    out.fails.push(observation('level-invalid', model === 'study' ? 'PS3.4 C.6.2.1' : 'PS3.4 C.6.1.1', [64], `${keyName(QR_LEVEL)} "${level}" is not a level of ${FIND_MODELS[model].name} (${levels.join(', ')})`));
    return undefined;
  }
  return level;
}

/**
 * PS3.4 C.4.1.2.1 (hierarchical) and C.4.1.2.2.1 (relational): the query level's unique key;
 * above it a single value of each unique key and no other key; nothing below it.
 */
function judgeHierarchy(model: FindModel, level: Level, keys: Map<number, SentKey>, relational: boolean, out: Judged): void {
  const levels = FIND_MODELS[model].levels as readonly Level[];
  const depth = LEVEL_ORDER.indexOf(level);
  const above = levels.slice(0, levels.indexOf(level));
  const byKeyword = new Map([...keys.values()].map((k) => [k.keyword, k]));
  const rule = relational ? 'PS3.4 C.4.1.2.2.1' : 'PS3.4 C.4.1.2.1';
  const own = byKeyword.get(UNIQUE_KEY[level as keyof typeof UNIQUE_KEY]);
  const ownName = UNIQUE_KEY[level as keyof typeof UNIQUE_KEY];
  if (!own) out.fails.push(observation('unique-key-missing', rule, [75, 78], `${ownName}, the unique key of the ${level} query level, is missing`));
  // The SCU sections name single value, universal and UID list; the SCP's (C.4.1.3.1.1) also wild cards.
  else if (own.kind !== 'single' && own.kind !== 'universal' && own.kind !== 'uid-list') {
    out.findings.push(observation('unique-key-matching-type', rule, [75], `${shown(own)} asks for ${own.kind} matching; ${rule} names single value, universal or UID list matching for the query level's unique key`));
  }
  for (const upper of relational ? [] : above) {
    const name = UNIQUE_KEY[upper as keyof typeof UNIQUE_KEY];
    const k = byKeyword.get(name);
    if (!k) out.fails.push(observation('upper-unique-key-missing', rule, [75, 77], `${name}, the unique key of the ${upper} level above the ${level} query level, is missing: a hierarchical query gives it a single value`));
    else if (k.kind !== 'single') out.fails.push(observation('upper-unique-key-not-single', rule, [75, 77], `${k.name} of the ${upper} level above the ${level} query level is ${quoted(k.values)} (${k.kind} matching): a hierarchical query gives it a single value`));
  }
  for (const k of keys.values()) {
    if (NON_KEY_ATTRIBUTES.has(k.keyword)) continue;
    if ((k.tag >>> 16) % 2 === 1) {
      out.findings.push(observation('private-key', 'PS3.4 C.4.1.1.3.2', [74], `${k.name} is a private attribute, which the archive may ignore`));
      continue;
    }
    const at = keyLevel(model, k.keyword);
    if (!at) {
      out.findings.push(observation('key-not-in-model', 'PS3.4 C.6', [74], `${shown(k)} is no key of the ${FIND_MODELS[model].name} tables this harness knows; the archive may ignore it as an unsupported optional key`));
      continue;
    }
    const d = LEVEL_ORDER.indexOf(at);
    if (d > depth) {
      // C.4.1.1.3.1: the keys allowable are those the model defines for the query level (C.4.1.2.1: and the unique keys above).
      const text = `${shown(k)} is a key of the ${at} level, below the ${level} query level`;
      if (relational) out.findings.push(observation('key-below-level', 'PS3.4 C.4.1.2.2.1', [78], `${text}; C.4.1.2.2.1 allows keys at any level of the hierarchy without saying whether below the query level`));
      else out.fails.push(observation('key-below-level', 'PS3.4 C.4.1.1.3.1', [75], `${text}, whose keys a query at this level cannot hold`));
    } else if (d < depth && !relational && k.keyword !== UNIQUE_KEY[at as keyof typeof UNIQUE_KEY]) {
      const type = keyType(model, at, k.keyword) === 'R' ? 'Required' : 'Optional';
      out.fails.push(observation('upper-level-key', 'PS3.4 C.4.1.2.1', [75, 77], `${shown(k)} is a ${type} key of the ${at} level, above the ${level} query level: a hierarchical query holds none`));
    }
  }
}

/** Keys of the Scheduled Procedure Step item (PS3.4 Table K.6-1), with the matching types the SCP must support for required ones. */
const SPS_ITEM: Record<string, readonly string[] | undefined> = {
  ScheduledStationAETitle: ['single'],
  ScheduledProcedureStepStartDate: ['single', 'range'],
  ScheduledProcedureStepStartTime: ['single', 'range'],
  Modality: ['single'],
  ScheduledPerformingPhysicianName: ['single', 'wild'],
  ScheduledProcedureStepDescription: undefined,
  ScheduledStationName: undefined,
  ScheduledProcedureStepLocation: undefined,
  ScheduledProtocolCodeSequence: undefined,
  PreMedication: undefined,
  ScheduledProcedureStepID: undefined,
  RequestedContrastAgent: undefined,
  ScheduledProcedureStepStatus: undefined,
};
const MWL_TOP: Record<string, readonly string[]> = { PatientName: ['single', 'wild'], PatientID: ['single'] };

function judgeWorklistMatching(k: SentKey, allowed: readonly string[] | undefined, out: Judged): void {
  if (!allowed || k.kind === 'universal' || k.kind === 'empty-value' || allowed.includes(k.kind)) return;
  out.findings.push(observation('matching-type-not-required', 'PS3.4 Table K.6-1', [109], `${shown(k)} asks for ${k.kind} matching; the archive need only support ${allowed.join(' or ')} matching for this required key`));
}

/** PS3.4 K.4.1.1.3.1, Table K.6-1: one level, SPS keys inside the Scheduled Procedure Step Sequence item. */
function judgeWorklist(keys: Map<number, SentKey>, out: Judged): void {
  const lvl = keys.get(QR_LEVEL);
  if (lvl) out.findings.push(observation('level-in-worklist', 'PS3.4 K.4.1.1.3.1', [105], `${keyName(QR_LEVEL)} ${quoted(lvl.values)} is sent; the worklist model has a single level and no Query/Retrieve Level`));
  for (const k of keys.values()) {
    if (k.keyword in SPS_ITEM) out.findings.push(observation('key-outside-sequence', 'PS3.4 Table K.6-1', [109], `${shown(k)} is at the top level; the worklist model has it in the Scheduled Procedure Step Sequence item`));
    judgeWorklistMatching(k, MWL_TOP[k.keyword], out);
  }
  const sps = [...keys.values()].find((k) => k.keyword === 'ScheduledProcedureStepSequence');
  for (const k of sps?.item?.values() ?? []) judgeWorklistMatching(k, SPS_ITEM[k.keyword], out);
}

/** Judges one C-FIND-RQ and its identifier as sent by a query client. */
export function judgeFindRequest(input: FindRequestInput): FindRequestJudgement {
  const out: Judged = { fails: [], findings: [] };
  const negotiated = input.negotiated ?? {};
  judgeCommand(input, out);
  if (!input.identifierBytes) return out;
  const ts = transferSyntax(input.transferSyntaxUid);
  if (!ts) {
    out.findings.push(observation('identifier-not-judged', 'PS3.5 10', [51], `the identifier travelled in ${input.transferSyntaxUid}, which this harness cannot decode; it was not judged`));
    return out;
  }
  let ds: DataSet;
  try {
    ds = decodeDataSet(input.identifierBytes, ts);
  } catch (err) {
    if (!(err instanceof DataSetError)) throw err;
    // The identifier is encoded in the context's transfer syntax (PS3.5 7; PS3.8 E.2).
    out.fails.push(observation('identifier-undecodable', 'PS3.5 7.1', [51], `the identifier does not decode in ${ts.name}: ${err.message}`));
    return out;
  }
  const keys = judgeKeys(ds, ts.explicitVr, negotiated, out);
  judgeCharacterSet(ds, out);
  judgeNonKeys(ds, negotiated, out);
  if (input.model === 'mwl') {
    judgeWorklist(keys, out);
    return { ...out, identifier: ds, level: 'WORKLIST' };
  }
  const level = judgeLevel(input.model, keys, out);
  if (!level) return { ...out, identifier: ds };
  judgeHierarchy(input.model, level, keys, negotiated.relational === true, out);
  return { ...out, identifier: ds, level };
}
