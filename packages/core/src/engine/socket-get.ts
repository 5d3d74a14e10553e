import { connect } from 'node:net';

/** One answer of `socketGet`: the status and the body as text. */
export interface SocketAnswer {
  status: number;
  body: string;
}

/** No answer of the engine's read calls comes near this; a larger one is not what was asked for. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/**
 * `GET path` over a unix socket or named pipe, HTTP/1.1 with
 * `Connection: close`, written and read with node:net alone: the socket
 * engine's two reads do not need node:http (~5-9 ms to load). Rejects on a
 * connection error, an answer that is not HTTP, or no answer within
 * `timeoutMs`; with the signal's reason when `signal` aborts (Ctrl-C).
 */
export function socketGet(
  socketPath: string,
  path: string,
  timeoutMs?: number,
  signal?: AbortSignal,
): Promise<SocketAnswer> {
  return new Promise<SocketAnswer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const socket = connect(socketPath);
    const onAbort = () => {
      socket.destroy();
      reject(signal?.reason);
    };
    const fail = (why: string) => {
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(new Error(why));
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('close', () => signal?.removeEventListener('abort', onAbort));
    if (timeoutMs) socket.setTimeout(timeoutMs, () => fail(`answer within ${timeoutMs} ms`));
    socket.on('connect', () => {
      socket.end(`GET ${path} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ANSWER_BYTES) return fail('answer with less than 16 MB');
      chunks.push(chunk);
    });
    socket.on('error', () => fail('reach the engine'));
    socket.on('end', () => {
      const answer = parseAnswer(Buffer.concat(chunks));
      if (answer) resolve(answer);
      else reject(new Error('answer in HTTP'));
    });
  });
}

/** An HTTP/1.1 answer read to its end: status line, headers, body (by length, chunked, or to the end). */
export function parseAnswer(raw: Buffer): SocketAnswer | undefined {
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) return undefined;
  const [statusLine = '', ...lines] = raw.subarray(0, split).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(statusLine);
  if (!status) return undefined;
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  let body = raw.subarray(split + 4);
  if (headers.get('transfer-encoding')?.toLowerCase() === 'chunked') {
    const decoded = unchunk(body);
    if (!decoded) return undefined;
    body = decoded;
  } else if (headers.has('content-length')) {
    const length = Number(headers.get('content-length'));
    if (!Number.isSafeInteger(length) || length < 0 || body.length < length) return undefined;
    body = body.subarray(0, length);
  }
  return { status: Number(status[1]), body: body.toString('utf8') };
}

/** A chunked body decoded, or undefined when it is cut short or malformed. */
function unchunk(body: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) return undefined;
    const size = Number.parseInt(body.subarray(at, eol).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isSafeInteger(size) || size < 0) return undefined;
    if (size === 0) return Buffer.concat(parts);
    const start = eol + 2;
    if (body.length < start + size + 2) return undefined;
    parts.push(body.subarray(start, start + size));
    at = start + size + 2;
  }
}
