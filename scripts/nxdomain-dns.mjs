// A DNS server that knows no names: every query is answered NXDOMAIN ("no
// such host"), as a resolver answers for a name that does not exist. Run
// inside a network namespace that has only loopback (scripts/offline-engine.sh),
// it gives an engine there the DNS failure of a machine that cannot resolve
// ghcr.io, without a single packet leaving the machine.
// Usage: node nxdomain-dns.mjs [port] (default 53, on 127.0.0.1); prints "ready".
import dgram from 'node:dgram';

const server = dgram.createSocket('udp4');
server.on('message', (query, from) => {
  if (query.length < 12) return; // not a DNS message
  const answer = Buffer.from(query);
  answer[2] = 0x80 | (query[2] & 0x79); // QR=1 (a response); opcode and RD as asked
  answer[3] = 0x80 | 0x03; // RA=1, RCODE=3: NXDOMAIN
  answer.writeUInt16BE(0, 6); // no answers, authority or additional records
  answer.writeUInt16BE(0, 8);
  answer.writeUInt16BE(0, 10);
  server.send(answer, from.port, from.address);
});
server.bind(Number(process.argv[2] ?? 53), '127.0.0.1', () => console.log('ready'));
