import { any, bool, int, keywordMap, list, obj, oneOf, oneOfStrings, req, status, str } from './schema-dsl.ts';
import type { Schema } from './schema-dsl.ts';

/** Names a scenario may use for SOP classes and transfer syntaxes (or the UID itself). */
export const SOP_CLASS_NAMES = ['PatientRoot', 'StudyRoot', 'PatientStudyOnly', 'ModalityWorklist', 'Verification'] as const;
export const TRANSFER_SYNTAX_NAMES = ['ImplicitVRLittleEndian', 'ExplicitVRLittleEndian', 'ExplicitVRBigEndian'] as const;
export const MODELS = ['patient', 'study', 'psonly', 'mwl'] as const;
export const LEVELS = ['PATIENT', 'STUDY', 'SERIES', 'IMAGE'] as const;
export const RESPONSE_FAULTS = ['none', 'wrongMessageId', 'wrongSopClass', 'wrongContext', 'identifierOnFinal', 'wrongTransferSyntax', 'oneByteFragments', 'twoByteFragments', 'oversizePdu'] as const;
export const SEND_FAULTS = ['unknownPdu', 'truncatedPdu', 'releaseRp', 'associateRq'] as const;
export const INVALID_IDENTIFIERS = ['noLevel', 'keysBelowLevel', 'badVr', 'wrongCharset'] as const;

const uidOrName = (names: readonly string[], doc: string) => oneOf([oneOfStrings(names), str('a UID', { pattern: '^[0-9]+(\\.[0-9]+)*$', patternHelp: 'a UID' })], doc);
const aePattern = str('an AE title, or a pattern with * and ?', { pattern: '^[^\\\\]{1,16}$', patternHelp: 'an AE title (1-16 characters)' });
const delay = oneOf([int('milliseconds', 0), list(int(undefined, 0), 'a random delay between the two (milliseconds)', 2)], 'milliseconds, or [min, max] for a random delay');
const extendedNegotiation = obj(
  {
    relational: bool('relational queries (PS3.4 C.5.1.1 byte 1)'),
    datetime: bool('combined date-time matching (byte 2)'),
    fuzzy: bool('fuzzy semantic person name matching (byte 3)'),
    timezone: bool('timezone query adjustment (byte 4)'),
    emptyValue: bool('empty value matching (byte 6)'),
    multipleValue: bool('multiple value matching (byte 7)'),
  },
  'C-FIND extended negotiation: offered (SCU) or accepted (SCP)',
);

const store = obj(
  {
    patients: list(any('a patient: keywords, and "studies"'), 'patients → studies → series → instances, keywords as keys'),
    worklist: list(any('a worklist item with one ScheduledProcedureStepSequence item'), 'Modality Worklist items'),
    files: list(str('a YAML store file, relative to the scenario'), 'YAML store files to load'),
    dicomDirs: list(str('a folder of DICOM Part 10 files, relative to the scenario'), 'folders of DICOM files (read recursively)'),
    synthetic: obj(
      { patients: req(int(undefined, 1)), studies: int('per patient', 1), series: int('per study', 1), instances: int('per series', 1), seed: int() },
      'a generated archive',
    ),
  },
  'the archive the SCP answers from',
);

const associationRule = obj(
  {
    when: obj(
      {
        callingAeTitle: aePattern,
        calledAeTitle: aePattern,
        nth: int('only the n-th association (1-based) that gets this far', 1),
      },
      'which A-ASSOCIATE-RQs this rule applies to (all, when absent)',
    ),
    reject: obj(
      { result: req(int('1 permanent, 2 transient', 0, 255)), source: req(int('1 service-user, 2 provider (ACSE), 3 provider (presentation)', 0, 255)), reason: req(int('reason/diag. (PS3.8 Table 9-21)', 0, 255)), delayMs: delay },
      'answer A-ASSOCIATE-RJ with these values (any, even reserved ones)',
    ),
    accept: obj(
      {
        delayMs: delay,
        never: bool('never answer the A-ASSOCIATE-RQ (the requestor times out)'),
        maxPduLength: int('announce this Maximum Length instead', 0),
        contexts: keywordlessMap(int('presentation context result 0-4 (PS3.8 Table 9-18)', 0, 4), 'per SOP class (name or UID): force this result'),
        abortAfterMs: int('send A-ABORT this long after the A-ASSOCIATE-AC', 0),
        abort: obj({ source: int(undefined, 0, 255), reason: int(undefined, 0, 255) }, 'source and reason of that A-ABORT'),
        releaseAfterMs: int('send A-RELEASE-RQ this long after the A-ASSOCIATE-AC (an SCP must not, PS3.7 A.5)', 0),
      },
      'accept, with these variations',
    ),
  },
  'how to answer an association request (first matching rule wins)',
);

function keywordlessMap(value: Schema, doc: string): Schema {
  return { kind: 'object', doc, props: {}, values: value };
}

const respondStep = oneOf(
  [
    obj({ delayMs: req(delay) }, 'wait before the next step'),
    obj(
      {
        pending: req(oneOf([oneOfStrings(['matches'], 'stream the store\'s matches'), int('stream the first N of the store\'s matches (or N generated ones when there are fewer)', 0), list(keywordMap('an identifier'), 'these identifiers')])),
        status: status('FF00 (default) or FF01'),
        delayMs: delay,
        firstDelayMs: delay,
      },
      'stream Pending responses',
    ),
    obj({ cancel: req(oneOf([oneOfStrings(['honour', 'ignore']), obj({ after: req(int('more Pendings before FE00', 0)) })])) }, 'how a C-CANCEL is treated from here on (default honour)'),
    obj(
      {
        final: req(status('the final status: 0000, A700, A900, Cxxx, 0122, FE00 — or any 16-bit value')),
        errorComment: str('Error Comment (0000,0902)'),
        offendingElement: list(str('a keyword or (gggg,eeee)'), 'Offending Element (0000,0901)'),
        errorId: int('Error ID (0000,0903)', 0, 65535),
        identifier: keywordMap('an Identifier on the final response (a fault: only Pendings carry one)'),
        anyStatus: bool('allow a status in no status class (a deliberate fault)'),
      },
      'send the final response and stop',
    ),
    obj({ fault: req(oneOfStrings(RESPONSE_FAULTS, 'how every following response is broken (none to stop)')) }, 'break the following responses'),
    obj({ send: req(oneOf([oneOfStrings(SEND_FAULTS), obj({ hex: str('the bytes, in hex') }), obj({ file: str('a file of raw bytes, relative to the scenario') })])) }, 'send bytes outside the protocol now'),
    obj({ abort: req(oneOf([bool(), obj({ source: int(undefined, 0, 255), reason: int(undefined, 0, 255) })])) }, 'A-ABORT now'),
    obj({ close: req(oneOf([bool(), obj({ afterBytes: int('bytes of the next P-DATA-TF sent first', 0) })])) }, 'drop the TCP connection now (optionally in the middle of a PDU)'),
    obj({ releaseRequest: req(bool()) }, 'send A-RELEASE-RQ (an SCP must not, PS3.7 A.5)'),
  ],
  'one step of a scripted answer',
);

const behaviour = obj(
  {
    name: str('a name for reports'),
    when: obj(
      {
        model: oneOfStrings(MODELS),
        level: oneOfStrings(LEVELS),
        callingAeTitle: aePattern,
        identifier: keywordMap('keys the request must hold, matched with the DICOM matching syntax against the request\'s values'),
        missing: list(str('a keyword'), 'keys the request must not hold'),
        state: str('only while the scenario is in this state'),
        nth: int('only the n-th request that matches (1-based)', 1),
      },
      'which C-FIND requests this behaviour answers (all, when absent)',
    ),
    times: int('answer at most this many requests, then let the next behaviour answer', 1),
    setState: str('the scenario state after this behaviour answered'),
    respond: req(list(respondStep, 'the steps, in order; a final 0000 (FE00 if cancelled) ends a script that sends none')),
  },
  'a scripted answer to C-FIND',
);

const scp = obj(
  {
    aeTitle: str('our AE title (default QRSCP)', { pattern: '^[^\\\\]{1,16}$', patternHelp: 'an AE title (1-16 characters)' }),
    port: int('TCP port for qr-harness serve (the command line may override)', 0, 65535),
    maxPduLength: int('our Maximum Length (0 = no limit)', 0),
    writeAhead: int('Pendings written beyond what the socket has flushed before the next waits, and at most between two reads of the peer (default 16; 1 stops a cancelled stream within a few Pendings, as dcmqrscp does)', 1),
    profile: str('the matching profile (strict, lenient, empty-hierarchical, dcmqrscp, orthanc)'),
    timezone: str("the archive's timezone, for timezone query adjustment (default +0000)", { pattern: '^[+-](0\\d|1[0-4])[0-5]\\d$', patternHelp: 'a UTC offset +HHMM or -HHMM' }),
    retrieveAeTitle: str('Retrieve AE Title in responses (default: aeTitle)'),
    callingAeTitles: list(aePattern, 'accept only these calling AE titles (others: A-ASSOCIATE-RJ 1/1/3)'),
    sopClasses: list(uidOrName(SOP_CLASS_NAMES, 'a SOP class'), 'SOP classes accepted (default: the four FIND models and Verification)'),
    transferSyntaxes: list(uidOrName(TRANSFER_SYNTAX_NAMES, 'a transfer syntax'), 'transfer syntaxes accepted, in order of preference'),
    extendedNegotiation,
    timeouts: obj({ artimMs: int(undefined, 1), idleMs: int(undefined, 0) }, 'timers'),
    association: list(associationRule, 'association rules, first match wins (default: accept)'),
    behaviours: list(behaviour, 'C-FIND behaviours, first match wins (default: answer from the store)'),
  },
  'the simulated SCP (archive)',
);

const findStep = obj(
  {
    model: req(oneOfStrings(MODELS)),
    level: oneOfStrings(LEVELS),
    identifier: keywordMap('the keys'),
    invalid: oneOfStrings(INVALID_IDENTIFIERS, 'send an identifier that is invalid on purpose'),
    priority: oneOfStrings(['low', 'medium', 'high']),
    cancel: obj(
      {
        after: int('cancel after N Pendings (0: before the first)', 0),
        afterFinal: bool('cancel after the final response (no effect expected)'),
        twice: bool('send the cancel twice'),
        wrongMessageId: bool('cancel a Message ID that was never sent'),
      },
      'C-CANCEL',
    ),
    pauseReadingMs: int('stop reading for this long after the first Pending (backpressure)', 0),
    abortAfter: int('A-ABORT after N Pendings', 0),
    releaseAfter: int('A-RELEASE-RQ after N Pendings, while the C-FIND is outstanding (PS3.7 A.5 forbids it)', 0),
    concurrent: int('send this many C-FINDs at once (without an asynchronous operations window: a fault)', 1),
    expect: obj({ final: status(), pendings: int(undefined, 0), minPendings: int(undefined, 0), maxPendings: int(undefined, 0), violations: list(str('words of a rule the SCP is expected to break'), 'rules the SCP is expected to break (any other violation fails the step)') }, 'what the SCP must answer'),
  },
  'a C-FIND',
);

const scuStep = oneOf(
  [
    obj({ echo: req(oneOf([bool(), obj({})])) }, 'C-ECHO'),
    obj({ find: req(findStep) }, 'C-FIND'),
    obj({ release: req(oneOf([bool(), obj({})])) }, 'A-RELEASE'),
    obj({ abort: req(oneOf([bool(), obj({ source: int(undefined, 0, 255), reason: int(undefined, 0, 255) })])) }, 'A-ABORT'),
    obj({ delayMs: req(delay) }, 'wait'),
  ],
  'one step of the SCU script',
);

const scu = obj(
  {
    callingAeTitle: str('our AE title (default QRHARNESS)'),
    calledAeTitle: str('the SCP\'s AE title'),
    maxPduLength: int(undefined, 0),
    sopClasses: list(uidOrName(SOP_CLASS_NAMES, 'a SOP class'), 'SOP classes proposed (default: the FIND models and Verification)'),
    transferSyntaxes: list(uidOrName(TRANSFER_SYNTAX_NAMES, 'a transfer syntax'), 'transfer syntaxes proposed for each'),
    extendedNegotiation,
    asyncOperationsWindow: obj({ invoked: req(int(undefined, 0, 65535)), performed: req(int(undefined, 0, 65535)) }, 'propose an asynchronous operations window'),
    steps: req(list(scuStep, 'what the SCU does, in order', 1)),
  },
  'the scripted SCU (query client)',
);

const load = obj(
  {
    mix: list(
      obj(
        {
          name: str('a name for the report'),
          weight: int('relative share of the sessions (default 1)', 1),
          steps: req(list(scuStep, 'what one session does on its association, in order', 1)),
        },
        'one kind of session',
      ),
      'weighted sessions for qr-harness load (instead of scu.steps as the one session)',
      1,
    ),
  },
  'qr-harness load: the sessions a load run picks from',
);

/** A scenario file. */
export const SCENARIO_SCHEMA: Schema = obj(
  {
    name: req(str('what this scenario simulates, in a few words')),
    description: str('one line for `qr-harness scenario list`'),
    include: list(str('a scenario file (relative to this one) whose settings this one extends'), 'files merged first; this file wins'),
    store,
    scp,
    scu,
    load,
  },
  'A dicom-qr-harness scenario: a simulated archive (SCP) and/or a scripted query client (SCU)',
);
