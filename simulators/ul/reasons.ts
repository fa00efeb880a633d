/** Words for the A-ASSOCIATE-RJ and A-ABORT codes, PS3.8 Tables 9-21 and 9-26. */

const rjResults: Record<number, string> = { 1: 'rejected-permanent', 2: 'rejected-transient' };

const rjSources: Record<number, string> = {
  1: 'DICOM UL service-user',
  2: 'DICOM UL service-provider (ACSE related function)',
  3: 'DICOM UL service-provider (Presentation related function)',
};

const rjReasons: Record<number, Record<number, string>> = {
  1: { 1: 'no-reason-given', 2: 'application-context-name-not-supported', 3: 'calling-AE-title-not-recognized', 7: 'called-AE-title-not-recognized' },
  2: { 1: 'no-reason-given', 2: 'protocol-version-not-supported' },
  3: { 1: 'temporary-congestion', 2: 'local-limit-exceeded' },
};

export function describeReject(result: number, source: number, reason: number): string {
  const r = rjResults[result] ?? `invalid result ${result}`;
  const s = rjSources[source] ?? `invalid source ${source}`;
  const why = rjReasons[source]?.[reason] ?? `reserved reason ${reason}`;
  return `${r}, ${s}, ${why} (result ${result}, source ${source}, reason ${reason})`;
}

const abortSources: Record<number, string> = {
  0: 'DICOM UL service-user',
  1: 'reserved source',
  2: 'DICOM UL service-provider',
};

const abortReasons: Record<number, string> = {
  0: 'reason-not-specified',
  1: 'unrecognized-PDU',
  2: 'unexpected-PDU',
  3: 'reserved',
  4: 'unrecognized-PDU parameter',
  5: 'unexpected-PDU parameter',
  6: 'invalid-PDU-parameter value',
};

export function describeAbort(source: number, reason: number): string {
  const s = abortSources[source] ?? `invalid source ${source}`;
  // PS3.8 Table 9-26: the reason is only significant when the provider aborts.
  const why = source === 2 ? (abortReasons[reason] ?? `invalid reason ${reason}`) : 'reason not significant';
  return `${s}, ${why} (source ${source}, reason ${reason})`;
}
