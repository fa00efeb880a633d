/**
 * The judge of C-FIND requests sent by a query client under test: one test per rule, on
 * identifiers built with the project's encoder, raw bytes where the encoder would not write the
 * fault, and the bytes DCMTK findscu 3.6.7 and Orthanc 1.10.1 actually sent to our SCP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataSet } from '../dataset/data-set.ts';
import type { DataSetInput } from '../dataset/data-set.ts';
import { encodeDataSet } from '../dataset/encode.ts';
import { EXPLICIT_LITTLE, IMPLICIT_LITTLE } from '../dataset/transfer-syntax.ts';
import type { TransferSyntaxInfo } from '../dataset/transfer-syntax.ts';
import type { DimseCommand } from '../dimse/command-set.ts';
import { FIND_MODELS, findRequest } from '../dimse/find.ts';
import type { FindModel } from '../dimse/find.ts';
import { judgeFindRequest } from './query-rules.ts';
import type { FindRequestJudgement, RequestNegotiation } from './query-rules.ts';

interface Options {
  ts?: TransferSyntaxInfo;
  negotiated?: RequestNegotiation;
  command?: Partial<DimseCommand>;
}

function judge(model: FindModel, identifier: DataSetInput | Buffer, o: Options = {}): FindRequestJudgement {
  const ts = o.ts ?? IMPLICIT_LITTLE;
  const bytes = Buffer.isBuffer(identifier) ? identifier : encodeDataSet(DataSet.from(identifier), ts);
  const command = { ...findRequest(7, FIND_MODELS[model].sopClassUid), ...o.command };
  return judgeFindRequest({ model, command, identifierBytes: bytes, transferSyntaxUid: ts.uid, ...(o.negotiated && { negotiated: o.negotiated }) });
}

const codes = (j: FindRequestJudgement) => ({ fails: j.fails.map((f) => f.code).sort(), findings: j.findings.map((f) => f.code).sort() });
const clean = { fails: [], findings: [] };

/** An Explicit VR Little Endian element (PS3.5 7.1.2: a 4-byte length after 2 reserved bytes for UN, SQ, OB …). */
function explicit(group: number, element: number, vr: string, value: Buffer): Buffer {
  const long = ['OB', 'OW', 'SQ', 'UN', 'UC', 'UR', 'UT'].includes(vr);
  const h = Buffer.alloc(long ? 12 : 8);
  h.writeUInt16LE(group, 0);
  h.writeUInt16LE(element, 2);
  h.write(vr, 4, 'latin1');
  if (long) h.writeUInt32LE(value.length, 8);
  else h.writeUInt16LE(value.length, 6);
  return Buffer.concat([h, value]);
}

// Captured by `serve --record` from `findscu -P -k QueryRetrieveLevel=PATIENT -k PatientName=CITIZEN^Jan -k PatientID` (DCMTK 3.6.7).
const FINDSCU_PATIENT_EXPLICIT = '080052004353080050415449454e542010001000504e0c00434954495a454e5e4a616e20100020004c4f0000';
const FINDSCU_PATIENT_IMPLICIT = '080052000800000050415449454e5420100010000c000000434954495a454e5e4a616e201000200000000000';
// `findscu -S -k QueryRetrieveLevel=SERIES -k Modality=CT -k SeriesInstanceUID`: no Study Instance UID.
const FINDSCU_SERIES_NO_STUDY = '08005200435306005345524945530800600043530200435420000e0055490000';
// Orthanc 1.10.1, POST /modalities/qr/query with {"Level": "Patient", "Query": {"PatientName": "CITIZEN*"}} (Patient Root),
// {"Level": "Study", "Query": {"PatientID": "1234567", "StudyDate": "20240101-"}} and {"Level": "Series", "Query": {"Modality": "CT"}} (Study Root).
const ORTHANC_PATIENT = '0800050043530a0049534f5f495220313030080052004353080050415449454e542010001000504e0800434954495a454e2a100020004c4f0000';
const ORTHANC_STUDY = '0800050043530a0049534f5f4952203130300800200044410a0032303234303130312d2008005000534800000800520043530600535455445920100020004c4f0800313233343536372020000d0055490000';
const ORTHANC_SERIES = '0800050043530a0049534f5f4952203130300800500053480000080052004353060053455249455308006000435302004354100020004c4f000020000d005549000020000e0055490000';

test('findscu: a Patient Root PATIENT query, in explicit and implicit VR, breaks no rule and leaves nothing open', () => {
  for (const [hex, ts] of [[FINDSCU_PATIENT_EXPLICIT, EXPLICIT_LITTLE], [FINDSCU_PATIENT_IMPLICIT, IMPLICIT_LITTLE]] as const) {
    const j = judge('patient', Buffer.from(hex, 'hex'), { ts, command: { CommandDataSetType: 0x0001, MessageID: 1 } });
    assert.deepEqual(codes(j), clean, ts.name);
    assert.equal(j.level, 'PATIENT');
    assert.equal(j.identifier?.text('PatientName'), 'CITIZEN^Jan');
  }
});

test('findscu: a SERIES query without Study Instance UID fails C.4.1.2.1, naming the key and the levels', () => {
  const j = judge('study', Buffer.from(FINDSCU_SERIES_NO_STUDY, 'hex'), { ts: EXPLICIT_LITTLE });
  assert.deepEqual(codes(j), { fails: ['upper-unique-key-missing'], findings: [] });
  assert.equal(j.fails[0]!.rule, 'PS3.4 C.4.1.2.1');
  assert.match(j.fails[0]!.text, /StudyInstanceUID.*STUDY level above the SERIES query level/);
  assert.deepEqual(j.fails[0]!.checklist, [75, 77]);
});

test('Orthanc: its SERIES query sends Study Instance UID zero-length and study keys of the level above; relational negotiation makes it valid', () => {
  const bytes = Buffer.from(ORTHANC_SERIES, 'hex');
  const j = judge('study', bytes, { ts: EXPLICIT_LITTLE });
  assert.deepEqual(codes(j), { fails: ['upper-level-key', 'upper-level-key', 'upper-unique-key-not-single'], findings: [] });
  assert.ok(j.fails.every((f) => f.rule === 'PS3.4 C.4.1.2.1'));
  assert.match(j.fails.find((f) => f.code === 'upper-unique-key-not-single')!.text, /StudyInstanceUID \(0020,000D\).* zero-length \(universal matching\)/);
  assert.match(j.fails.map((f) => f.text).join(' '), /AccessionNumber \(0008,0050\) \(zero-length\) is a Required key of the STUDY level/);
  assert.deepEqual(codes(judge('study', bytes, { ts: EXPLICIT_LITTLE, negotiated: { relational: true } })), clean);
});

test('Orthanc: its PATIENT and STUDY queries (Study Root: patient keys are study keys) break no rule', () => {
  assert.deepEqual(codes(judge('patient', Buffer.from(ORTHANC_PATIENT, 'hex'), { ts: EXPLICIT_LITTLE })), clean);
  const study = judge('study', Buffer.from(ORTHANC_STUDY, 'hex'), { ts: EXPLICIT_LITTLE });
  assert.deepEqual(codes(study), clean);
  assert.equal(study.identifier?.text('StudyDate'), '20240101-');
});

test('keys below the query level fail a hierarchical query and are only reported in a relational one', () => {
  const keys = { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', Modality: 'CT', SOPInstanceUID: '' };
  const j = judge('study', keys);
  assert.deepEqual(codes(j), { fails: ['key-below-level', 'key-below-level'], findings: [] });
  assert.match(j.fails.map((f) => f.text).join('; '), /Modality \(0008,0060\) "CT" is a key of the SERIES level, below the STUDY query level/);
  assert.deepEqual(codes(judge('study', keys, { negotiated: { relational: true } })), { fails: [], findings: ['key-below-level', 'key-below-level'] });
});

test('the command: SOP class of the context, Message ID, a valid Priority, an Identifier announced and sent', () => {
  const keys = { QueryRetrieveLevel: 'PATIENT', PatientID: '' };
  assert.deepEqual(codes(judge('patient', keys, { command: { AffectedSOPClassUID: FIND_MODELS.study.sopClassUid } })).fails, ['sop-class-mismatch']);
  assert.deepEqual(codes(judge('patient', keys, { command: { AffectedSOPClassUID: undefined } })).fails, ['sop-class-missing']);
  assert.deepEqual(codes(judge('patient', keys, { command: { MessageID: undefined } })).fails, ['message-id-missing']);
  assert.deepEqual(codes(judge('patient', keys, { command: { Priority: 3 } })).fails, ['priority-invalid']);
  assert.deepEqual(codes(judge('patient', keys, { command: { Priority: undefined } })).fails, ['priority-missing']);
  assert.deepEqual(codes(judge('patient', keys, { command: { Priority: 2 } })), clean);
  assert.deepEqual(codes(judge('patient', keys, { command: { CommandDataSetType: 0x0101 } })).fails, ['no-identifier-announced']);
  const none = judgeFindRequest({ model: 'patient', command: findRequest(1, FIND_MODELS.patient.sopClassUid), identifierBytes: undefined, transferSyntaxUid: IMPLICIT_LITTLE.uid });
  assert.deepEqual(codes(none), { fails: ['identifier-missing'], findings: [] });
});

test('an identifier that does not decode in the context transfer syntax fails with the byte offset', () => {
  // Explicit VR bytes read as implicit VR: (0008,0052) "CS" + length 8 becomes a 4-byte length of 0x00085343.
  const j = judge('patient', Buffer.from(FINDSCU_PATIENT_EXPLICIT, 'hex'), { ts: IMPLICIT_LITTLE });
  assert.deepEqual(codes(j), { fails: ['identifier-undecodable'], findings: [] });
  assert.match(j.fails[0]!.text, /Implicit VR Little Endian: \(0008,0052\) at offset 0: value length \d+ reaches past the end/);
  const truncated = judge('patient', Buffer.from(FINDSCU_PATIENT_EXPLICIT, 'hex').subarray(0, 20), { ts: EXPLICIT_LITTLE });
  assert.match(truncated.fails[0]!.text, /at offset 16/);
  assert.equal(truncated.identifier, undefined);
});

test('Query/Retrieve Level: present, one value, one of the model levels', () => {
  assert.deepEqual(codes(judge('patient', { PatientID: '' })).fails, ['level-missing']);
  assert.deepEqual(codes(judge('study', { QueryRetrieveLevel: 'PATIENT', PatientID: '' })).fails, ['level-invalid']);
  assert.deepEqual(codes(judge('psonly', { QueryRetrieveLevel: 'SERIES', SeriesInstanceUID: '' })).fails, ['level-invalid']);
  assert.deepEqual(codes(judge('patient', { QueryRetrieveLevel: ['PATIENT', 'STUDY'], PatientID: '' })).fails, ['level-multivalued']);
  assert.deepEqual(codes(judge('psonly', { QueryRetrieveLevel: 'STUDY', PatientID: '12', StudyInstanceUID: '' })), clean);
});

test('the query level unique key: required; single, universal or a UID list; a wild card is only reported', () => {
  assert.deepEqual(codes(judge('study', { QueryRetrieveLevel: 'SERIES', StudyInstanceUID: '1.2.3', Modality: 'CT' })).fails, ['unique-key-missing']);
  assert.deepEqual(codes(judge('study', { QueryRetrieveLevel: 'SERIES', StudyInstanceUID: '1.2.3', SeriesInstanceUID: ['1.2.3.1', '1.2.3.2'] })), clean);
  const wild = judge('patient', { QueryRetrieveLevel: 'PATIENT', PatientID: '12*' });
  assert.deepEqual(codes(wild), { fails: [], findings: ['unique-key-matching-type'] });
  assert.match(wild.findings[0]!.text, /PatientID \(0010,0020\) "12\*" asks for wild matching/);
});

test('unique keys above the query level: one single value each, no wild card, universal value or UID list', () => {
  const fails = (keys: DataSetInput) => codes(judge('patient', keys)).fails;
  assert.deepEqual(fails({ QueryRetrieveLevel: 'STUDY', PatientID: 'P*', StudyInstanceUID: '' }), ['upper-unique-key-not-single']);
  assert.deepEqual(fails({ QueryRetrieveLevel: 'STUDY', PatientID: '*', StudyInstanceUID: '' }), ['upper-unique-key-not-single']);
  assert.deepEqual(fails({ QueryRetrieveLevel: 'SERIES', PatientID: 'P1', StudyInstanceUID: ['1.2.3', '1.2.4'], SeriesInstanceUID: '' }), ['upper-unique-key-not-single']);
  assert.deepEqual(fails({ QueryRetrieveLevel: 'IMAGE', PatientID: 'P1', StudyInstanceUID: '1.2.3', SOPInstanceUID: '' }), ['upper-unique-key-missing']);
  assert.deepEqual(fails({ QueryRetrieveLevel: 'IMAGE', PatientID: 'P1', StudyInstanceUID: '1.2.3', SeriesInstanceUID: '1.2.3.4', SOPInstanceUID: '' }), []);
});

test('non-key attributes: character set, zone and retrieve location are allowed; Instance Availability, an unnegotiated view and an empty zone are not', () => {
  const base = { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '' };
  assert.deepEqual(codes(judge('study', { ...base, SpecificCharacterSet: 'ISO_IR 100', TimezoneOffsetFromUTC: '+0100', RetrieveAETitle: '' })), clean);
  assert.deepEqual(codes(judge('study', { ...base, InstanceAvailability: '' })).fails, ['instance-availability-in-request']);
  assert.deepEqual(codes(judge('study', { ...base, QueryRetrieveView: 'CLASSIC' })).fails, ['view-not-negotiated']);
  assert.deepEqual(codes(judge('study', { ...base, QueryRetrieveView: 'CLASSIC' }, { negotiated: { enhanced: true } })), clean);
  assert.deepEqual(codes(judge('study', { ...base, TimezoneOffsetFromUTC: '' })).fails, ['timezone-empty']);
});

test('keys outside the model tables and private keys are only reported', () => {
  const j = judge('study', { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', PatientBirthName: '', '(0009,0010)': 'ACME' });
  assert.deepEqual(codes(j), { fails: [], findings: ['key-not-in-model', 'private-key'] });
});

test('explicit VR: the VR sent is the dictionary one; UN is reported and judged as the dictionary VR', () => {
  const head = explicit(0x0008, 0x0052, 'CS', Buffer.from('PATIENT '));
  const asLo = Buffer.concat([head, explicit(0x0010, 0x0010, 'LO', Buffer.from('DOE^J ')), explicit(0x0010, 0x0020, 'LO', Buffer.alloc(0))]);
  const j = judge('patient', asLo, { ts: EXPLICIT_LITTLE });
  assert.deepEqual(codes(j), { fails: ['vr-mismatch'], findings: [] });
  assert.match(j.fails[0]!.text, /PatientName \(0010,0010\) is sent with VR LO; the data dictionary gives PN/);
  const asUn = Buffer.concat([head, explicit(0x0010, 0x0020, 'UN', Buffer.alloc(0)), explicit(0x0010, 0x0030, 'UN', Buffer.from('2024011X'))]);
  const un = judge('patient', asUn, { ts: EXPLICIT_LITTLE });
  assert.deepEqual(codes(un), { fails: ['vr-invalid-value'], findings: ['vr-unknown-sent', 'vr-unknown-sent'] });
  assert.match(un.fails[0]!.text, /PatientBirthDate \(0010,0030\) "2024011X" is not a date YYYYMMDD \(VR DA\)/);
});

test('values within their VR: repertoire and format, even length, UID padding', () => {
  const base = { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '' };
  for (const [keys, what] of [
    [{ StudyDate: '20241301' }, /StudyDate \(0008,0020\) "20241301" is not a date/],
    [{ StudyTime: '2530' }, /is not a time/],
    [{ ModalitiesInStudy: 'ct' }, /upper-case letters/],
    [{ StudyInstanceUID: '1.2.03' }, /StudyInstanceUID \(0020,000D\) "1.2.03" is not a UID/],
    [{ NumberOfStudyRelatedSeries: '1.5' }, /is not an integer string/],
    [{ PatientAge: '45' }, /is not nnnD/],
  ] as const) {
    const j = judge('study', { ...base, ...keys });
    assert.deepEqual(codes(j), { fails: ['vr-invalid-value'], findings: [] }, String(what));
    assert.match(j.fails[0]!.text, what);
  }
  const spacePadded = judge('study', { ...base, StudyInstanceUID: Buffer.from('1.2.3 ') });
  assert.match(spacePadded.fails[0]!.text, /padded with a space, not NUL/);
  const odd = judge('study', { ...base, AccessionNumber: Buffer.from('A12') });
  assert.deepEqual(codes(odd).fails, ['odd-length']);
  assert.equal(odd.fails[0]!.rule, 'PS3.5 7.1.1');
});

test('a value longer than its VR allows is reported, not failed (C.2.2.2); a 17-character date range is no finding', () => {
  const j = judge('study', { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', AccessionNumber: 'A234567890123456*' });
  assert.deepEqual(codes(j), { fails: [], findings: ['vr-length-exceeded'] });
  assert.match(j.findings[0]!.text, /AccessionNumber \(0008,0050\) "A234567890123456\*" has 17 characters, more than the 16 of VR SH/);
  assert.deepEqual(codes(judge('study', { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', StudyDate: '20240101-20241231' })), clean);
});

test('wild cards only in the VRs that have them: not in DA, UI or IS', () => {
  const base = { QueryRetrieveLevel: 'SERIES', StudyInstanceUID: '1.2.3', SeriesInstanceUID: '' };
  assert.deepEqual(codes(judge('study', { ...base, Modality: 'C?', SeriesDescription: '*head*' })), clean);
  for (const keys of [{ SeriesDate: '2024*' }, { SeriesInstanceUID: '1.2.3.*' }, { SeriesNumber: '1?' }]) {
    const j = judge('study', { ...base, ...keys });
    assert.deepEqual(codes(j), { fails: ['wildcard-not-allowed'], findings: [] }, JSON.stringify(keys));
    assert.equal(j.fails[0]!.rule, 'PS3.4 C.2.2.2.4');
  }
  assert.match(judge('study', { ...base, SeriesDate: '2024*' }).fails[0]!.text, /range matching instead/);
});

test('ranges only for dates and times, with valid bounds; a reversed range is reported', () => {
  const base = { QueryRetrieveLevel: 'SERIES', StudyInstanceUID: '1.2.3', SeriesInstanceUID: '' };
  assert.deepEqual(codes(judge('study', { ...base, SeriesDate: '-20240131', SeriesTime: '0800-120000.5' })), clean);
  assert.deepEqual(codes(judge('study', { ...base, SeriesNumber: '1-5' })).fails, ['range-not-allowed']);
  assert.deepEqual(codes(judge('study', { ...base, SeriesDate: '20240131-20240101' })), { fails: [], findings: ['range-reversed'] });
  assert.deepEqual(codes(judge('study', { ...base, SeriesDate: '20240101-2024' })).fails, ['vr-invalid-value']);
  assert.deepEqual(codes(judge('study', { ...base, SeriesDate: '-' })).fails, ['vr-invalid-value']);
});

test('several values in a key: undefined without Multiple Value Matching, and then only for its VRs, never with wild cards', () => {
  const base = { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '' };
  const both = { ...base, ModalitiesInStudy: ['CT', 'PT'] };
  assert.deepEqual(codes(judge('study', both)), { fails: [], findings: ['multiple-values-not-negotiated'] });
  assert.deepEqual(codes(judge('study', both, { negotiated: { multipleValue: true } })), clean);
  assert.deepEqual(codes(judge('study', { ...base, ModalitiesInStudy: ['CT', 'P*'] }, { negotiated: { multipleValue: true } })).fails, ['multiple-values-wildcard']);
  assert.deepEqual(codes(judge('study', { ...base, PatientName: ['DOE^J', 'ROE^R'] }, { negotiated: { multipleValue: true } })).findings, ['multiple-values-not-applicable']);
});

test('"" asks for Empty Value Matching only when negotiated', () => {
  const keys = { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', StudyDescription: '""' };
  assert.deepEqual(codes(judge('study', keys)), { fails: [], findings: ['empty-value-not-negotiated'] });
  assert.deepEqual(codes(judge('study', keys, { negotiated: { emptyValue: true } })), clean);
});

test('a sequence key holds one item, whose keys are judged too', () => {
  const item = { CodeValue: 'X1', CodingSchemeDesignator: 'L' };
  const base = { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '' };
  assert.deepEqual(codes(judge('study', { ...base, ProcedureCodeSequence: [item] })), clean);
  assert.deepEqual(codes(judge('study', { ...base, ProcedureCodeSequence: [item, item] })).fails, ['sequence-items']);
  const inner = judge('study', { ...base, ReferencedStudySequence: [{ ReferencedSOPInstanceUID: '1.2.*' }] });
  assert.deepEqual(codes(inner).fails, ['wildcard-not-allowed']);
  assert.match(inner.fails[0]!.text, /ReferencedStudySequence\[0\]\.ReferencedSOPInstanceUID \(0008,1155\) "1\.2\.\*"/);
});

test('Specific Character Set: declared for bytes outside the default repertoire, never empty, and the bytes valid in it', () => {
  const base = { QueryRetrieveLevel: 'PATIENT', PatientID: '' };
  const latin1 = Buffer.from('M\xfcller^J', 'latin1');
  const undeclared = judge('patient', { ...base, PatientName: latin1 });
  assert.deepEqual(codes(undeclared), { fails: ['charset-inconsistent'], findings: [] });
  assert.match(undeclared.fails[0]!.text, /no Specific Character Set \(0008,0005\): PatientName \(0010,0010\) \(bytes 4dfc6c6c65725e4a\)/);
  assert.deepEqual(codes(judge('patient', { ...base, SpecificCharacterSet: 'ISO_IR 6', PatientName: latin1 })).fails, ['charset-inconsistent']);
  assert.deepEqual(codes(judge('patient', { ...base, SpecificCharacterSet: 'ISO_IR 100', PatientName: latin1 })), clean);
  assert.deepEqual(codes(judge('patient', { ...base, SpecificCharacterSet: 'ISO_IR 192', PatientName: 'Müller^Jürgen' })), clean);
  assert.deepEqual(codes(judge('patient', { ...base, SpecificCharacterSet: 'ISO_IR 192', PatientName: latin1 })).fails, ['charset-invalid-bytes']);
  assert.deepEqual(codes(judge('patient', { ...base, SpecificCharacterSet: Buffer.alloc(0), PatientName: 'DOE' })).fails, ['charset-empty']);
  assert.deepEqual(codes(judge('patient', { ...base, SpecificCharacterSet: 'ISO_IR 100', PatientName: Buffer.from('\x1b-AM\xfcller ', 'latin1') })).fails, ['charset-inconsistent']);
});

test('worklist: no level, scheduled step keys inside the sequence item, required keys with the matching types of Table K.6-1', () => {
  const sps = { ScheduledStationAETitle: 'CT01', ScheduledProcedureStepStartDate: '20240105-20240106', Modality: 'CT', ScheduledPerformingPhysicianName: '' };
  const good = judge('mwl', { PatientName: 'DOE*', PatientID: '', ScheduledProcedureStepSequence: [sps] });
  assert.deepEqual(codes(good), clean);
  assert.equal(good.level, 'WORKLIST');
  assert.deepEqual(codes(judge('mwl', { QueryRetrieveLevel: 'WORKLIST', PatientName: '' })).findings, ['level-in-worklist']);
  assert.deepEqual(codes(judge('mwl', { PatientName: '', Modality: 'CT' })).findings, ['key-outside-sequence']);
  const wild = judge('mwl', { PatientID: 'P*', ScheduledProcedureStepSequence: [{ ...sps, Modality: 'C*' }] });
  assert.deepEqual(codes(wild), { fails: [], findings: ['matching-type-not-required', 'matching-type-not-required'] });
  assert.match(wild.findings.map((f) => f.text).join(' '), /ScheduledProcedureStepSequence\[0\]\.Modality \(0008,0060\) "C\*" asks for wild matching/);
});

test('a transfer syntax the harness cannot decode is reported, not judged', () => {
  const j = judgeFindRequest({ model: 'study', command: findRequest(1, FIND_MODELS.study.sopClassUid), identifierBytes: Buffer.alloc(4), transferSyntaxUid: '1.2.840.10008.1.2.1.99' });
  assert.deepEqual(codes(j), { fails: [], findings: ['identifier-not-judged'] });
});
