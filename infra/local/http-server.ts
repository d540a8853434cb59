/**
 * The local server's HTTP/1.1 connections: every request gets an answer a keep-alive client can
 * read, also when the answer comes before the body was read (413, 401 on an upload, ...) and when
 * Node refuses the request itself (431 headers too large, 400 malformed).
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { HttpProblem, PROBLEM_CONTENT_TYPE } from '../../shared/http/problem.ts';

/**
 * The most a client may still send after its answer for the connection to stay open: what a
 * local upload may carry (infra/local/imports.ts). Beyond, the answer says `Connection: close`.
 */
export const DRAIN_LIMIT_BYTES = 512 * 1024 * 1024 + 64 * 1024;
/** A client still sending the rest of a refused body after this long loses the connection. */
const DRAIN_LIMIT_MS = 30_000;
/** After answering a request Node could not parse, how long its sender may go on before the socket closes. */
const LINGER_MS = 2_000;

const remainingDeclared = (req: IncomingMessage): number => {
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) ? length : 0;
};

/**
 * Reads and drops the rest of a body nobody will read, so that the next request on the
 * connection can be parsed. A half-read body (the web stream over it stopped pulling) is
 * taken from that stream too, as Node's own dump of an unread body does.
 */
function discardRest(req: IncomingMessage): void {
  let bytes = 0;
  const timer = setTimeout(() => req.socket.destroy(), DRAIN_LIMIT_MS);
  timer.unref();
  const done = () => clearTimeout(timer);
  req.removeAllListeners('data');
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > DRAIN_LIMIT_BYTES) req.socket.destroy();
  });
  req.once('end', done);
  req.once('close', done);
  req.resume();
}

/** A request listener that drains what a refused request still sends, or says `Connection: close` when that is too much. */
export function answerEveryRequest(listener: (req: IncomingMessage, res: ServerResponse) => unknown): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const writeHead = res.writeHead;
    res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      if (!req.complete && remainingDeclared(req) > DRAIN_LIMIT_BYTES) this.setHeader('Connection', 'close');
      return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as ServerResponse['writeHead'];
    res.once('finish', () => {
      if (!req.complete && !req.destroyed) discardRest(req);
    });
    void listener(req, res);
  };
}

const answered = Symbol('answered');

/**
 * Answers what Node's parser refuses (431 headers too large, 400 malformed, 408 too slow) with
 * problem+json and `Connection: close`, then reads what the client still sends for a moment
 * before closing: closing a socket with unread input resets the connection, and the client
 * would lose the answer.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket & { [answered]?: boolean; _httpMessage?: { headersSent?: boolean } }): void {
  if (socket[answered]) return;
  socket[answered] = true;
  if (err.code === 'ECONNRESET' || !socket.writable || socket._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const detail =
    status === 431
      ? 'The request headers are larger than this server accepts (16 KiB).'
      : status === 408
        ? 'The request did not arrive in time.'
        : 'The request is not valid HTTP/1.1.';
  const body = JSON.stringify(
    new HttpProblem(status, status === 431 ? 'headers-too-large' : status === 408 ? 'request-timeout' : 'bad-request', STATUS_CODES[status]!, detail).toBody(),
  );
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ` +
      `${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  // Nothing more is parsed on this connection: drop what still arrives, then close.
  socket.removeAllListeners('data');
  socket.on('data', () => {});
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('end', () => socket.destroy());
  socket.once('close', () => clearTimeout(timer));
}

/** An HTTP server for a fetch handler (Hono's), with the connection handling above. */
export function createLocalHttpServer(fetch: (request: Request, env: unknown) => Response | Promise<Response>): Server {
  // Hono's own cleanup closes a connection whose refused body takes over 500 ms to arrive, after
  // an answer that said keep-alive: discardRest does that job instead.
  const server = createServer(answerEveryRequest(getRequestListener(fetch, { autoCleanupIncoming: false })));
  server.on('clientError', answerClientError);
  return server;
}
