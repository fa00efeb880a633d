// The least any Node acceptor can do per association: answer each PDU with fixed bytes.
// Arguments: port, then the hex of the A-ASSOCIATE-AC, the C-ECHO-RSP P-DATA-TF and the
// A-RELEASE-RP. Reads one PDU per chunk (what a client writing each PDU at once gives on
// loopback); anything else gets no answer.
import net from 'node:net';

const [port, ...hex] = process.argv.slice(2);
const [ac, rsp, rp] = hex.map((h) => Buffer.from(h, 'hex'));
const answers = new Map([
  [0x01, ac],
  [0x04, rsp],
  [0x05, rp],
]);
const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('data', (chunk) => {
    const answer = answers.get(chunk[0]);
    if (answer) socket.write(answer);
  });
  socket.on('end', () => socket.destroy());
  socket.on('error', () => socket.destroy());
});
server.listen(Number(port), '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => process.exit(0));
