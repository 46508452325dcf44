/**
 * Errors Node's HTTP parser raises before Fastify sees a request (malformed request line or headers,
 * headers too large, a request that did not arrive in time): answered in the API's error shape
 * `{"error":{"code","message"}}`, then the socket is closed.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

interface ClientErrorAnswer {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

function answerFor(err: NodeJS.ErrnoException): ClientErrorAnswer {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'REQUEST_TIMEOUT', message: 'the request did not arrive in time' };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'HEADERS_TOO_LARGE', message: 'request headers are larger than the server accepts' };
    default:
      return { status: 400, code: 'BAD_REQUEST', message: 'malformed HTTP request' };
  }
}

export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  // a reset connection has nobody left to answer
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const a = answerFor(err);
  const body = JSON.stringify({ error: { code: a.code, message: a.message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${a.status} ${STATUS_CODES[a.status] ?? ''}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
