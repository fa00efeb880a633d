/** Status classes and the general and C-ECHO / C-FIND codes in words, PS3.7 Annex C and PS3.4 Tables C.4-1, K.4-1. */
export type StatusClass = 'Success' | 'Pending' | 'Cancel' | 'Warning' | 'Failure' | 'Unknown';

const codes: Record<number, string> = {
  0x0000: 'Success',
  0xff00: 'Pending: matches are continuing, all optional keys supported',
  0xff01: 'Pending: matches are continuing, an optional key was not supported',
  0xfe00: 'Cancel: matching terminated due to Cancel request',
  0xa700: 'Refused: out of resources',
  0xa900: 'Failed: identifier does not match SOP class',
  0x0122: 'Failed: SOP class not supported',
  0x0124: 'Refused: not authorized',
  0x0210: 'Failed: duplicate invocation',
  0x0211: 'Failed: unrecognized operation',
  0x0212: 'Failed: mistyped argument',
  0x0213: 'Failed: resource limitation',
};

/** PS3.4 C.4.1.1.4: an SCU treats every Cxxx as "unable to process". */
export function statusClass(status: number): StatusClass {
  if (status === 0x0000) return 'Success';
  if (status === 0xff00 || status === 0xff01) return 'Pending';
  if (status === 0xfe00) return 'Cancel';
  if (status === 0x0001 || (status >= 0xb000 && status <= 0xbfff) || status === 0x0107 || status === 0x0116) return 'Warning';
  if ((status >= 0xa000 && status <= 0xafff) || (status >= 0xc000 && status <= 0xcfff) || (status >= 0x0100 && status <= 0x02ff)) return 'Failure';
  return 'Unknown';
}

export function describeStatus(status: number): string {
  const hex = status.toString(16).padStart(4, '0').toUpperCase();
  const known = codes[status];
  if (known) return `${hex} ${known}`;
  if (status >= 0xc000 && status <= 0xcfff) return `${hex} Failed: unable to process`;
  return `${hex} ${statusClass(status)}`;
}
