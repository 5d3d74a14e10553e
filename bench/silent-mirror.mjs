// A registry mirror that forwards everything to the registry given as its
// argument but blob requests, which it holds open and never answers (a
// pull-through cache waiting on its upstream). Prints its host on stdout;
// SIGUSR2 closes the held connections. Run as its own process: the benchmark
// blocks its own event loop while it times a command.
import { createServer, request } from 'node:http';

const [host, port] = (process.argv[2] ?? '').split(':');
const held = new Set();
const server = createServer((req, res) => {
  if (/\/blobs\/sha256:/.test(req.url ?? '')) {
    held.add(req.socket);
    req.socket.once('close', () => held.delete(req.socket));
    return;
  }
  const forward = request({ host, port, method: req.method, path: req.url, headers: req.headers }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  forward.on('error', () => req.socket.destroy());
  req.pipe(forward);
});
process.on('SIGUSR2', () => {
  for (const socket of held) socket.destroy();
});
process.on('SIGTERM', () => process.exit(0));
server.listen(0, '127.0.0.1', () => console.log(`127.0.0.1:${server.address().port}`));
