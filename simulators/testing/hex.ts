/**
 * Annotated hex for byte-exact fixtures: one field per line, `#` starts a comment.
 *   hex`01 # PDU-type
 *        00 # reserved`
 * Interpolated values are inserted as hex text (see `ascii`, `ae`).
 */
export function hex(strings: TemplateStringsArray, ...values: string[]): Buffer {
  let text = '';
  strings.forEach((s, i) => {
    text += s;
    if (i < values.length) text += values[i];
  });
  const digits = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join('')
    .replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`bad hex fixture: ${digits}`);
  return Buffer.from(digits, 'hex');
}

/** The hex of a text's ISO 646 bytes. */
export function ascii(s: string): string {
  return Buffer.from(s, 'latin1').toString('hex');
}

/** The hex of a 16-byte space-padded AE title. */
export function ae(s: string): string {
  return ascii(s.padEnd(16, ' '));
}

/** Readable hex dump for assertion messages. */
export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex').replace(/(..)/g, '$1 ').trim();
}
