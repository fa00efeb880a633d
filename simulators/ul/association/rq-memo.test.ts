/** The acceptor's memory of A-ASSOCIATE-RQs: by exact bytes only, bounded, shared decodings frozen. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AssociationAcceptor } from './acceptor.ts';
import type { Association } from './association.ts';
import { buildRequest, requestAssociation } from './requestor.ts';
import { requestToPdu } from './pdu-mapping.ts';
import { RqMemo } from './rq-memo.ts';
import { decodePdu, encodePdu } from '../pdu/registry.ts';
import type { AssociateRqPdu } from '../pdu/pdus.ts';

const VERIFICATION = '1.2.840.10008.1.1';
const IMPLICIT = '1.2.840.10008.1.2';

function rqBytes(callingAeTitle: string): Buffer {
  return encodePdu(requestToPdu(buildRequest({ host: '', port: 0, calledAeTitle: 'QRSCP', callingAeTitle, presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] }] })));
}

test('an entry is found by the exact bytes only, and its decoding is frozen', () => {
  const memo = new RqMemo();
  const a = rqBytes('ALPHA');
  const seen = memo.add(a, (r) => decodePdu(r) as AssociateRqPdu, () => []);
  assert.equal(memo.find(Buffer.from(a)), seen, 'same bytes in another buffer');
  assert.equal(memo.of(seen.pdu), seen);
  const b = Buffer.from(a);
  b.writeUInt8(b.readUInt8(b.length - 1) ^ 1, b.length - 1);
  assert.equal(memo.find(b), undefined, 'one byte differs');
  assert.equal(memo.find(rqBytes('BETA')), undefined);
  assert.throws(() => {
    (seen.pdu as { protocolVersion: number }).protocolVersion = 2;
  }, TypeError);
  assert.throws(() => (seen.pdu.items as unknown[]).push({}), TypeError);
  a.fill(0);
  assert.equal(memo.find(rqBytes('ALPHA')), seen, 'the memo keeps its own copy of the bytes');
});

test('the memo holds at most its limit, dropping the oldest', () => {
  const memo = new RqMemo(2);
  const [a, b, c] = ['A', 'B', 'C'].map(rqBytes) as [Buffer, Buffer, Buffer];
  for (const x of [a, b, c]) memo.add(x, (r) => decodePdu(r) as AssociateRqPdu, () => []);
  assert.equal(memo.find(a), undefined);
  assert.ok(memo.find(b));
  assert.ok(memo.find(c));
});

test('repeated A-ASSOCIATE-RQs over real sockets: identical bytes get identical answers, a different RQ is negotiated afresh', async () => {
  const acceptor = new AssociationAcceptor({
    policy: { aeTitle: 'QRSCP', maxPduLength: 16384, callingAeTitles: ['ALLOWED'], contexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] }] },
    onAssociation: () => {},
  });
  const port = await acceptor.listen(0);
  const associate = (callingAeTitle: string) =>
    requestAssociation({ host: '127.0.0.1', port, calledAeTitle: 'QRSCP', callingAeTitle, presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] }] });
  try {
    const answers: Association[] = [];
    for (let i = 0; i < 3; i++) {
      const a = await associate('ALLOWED');
      answers.push(a);
      await a.release();
    }
    assert.deepEqual(encodePdu(answers[1]!.acPdu), encodePdu(answers[0]!.acPdu));
    assert.deepEqual(encodePdu(answers[2]!.acPdu), encodePdu(answers[0]!.acPdu));
    // PS3.8 7.1.1.3: the calling AE title is not recognised, a decision the memo must not carry over.
    await assert.rejects(associate('OTHER'), /calling-AE-title-not-recognized/);
    const again = await associate('ALLOWED');
    await again.release();
  } finally {
    await acceptor.close();
  }
});
