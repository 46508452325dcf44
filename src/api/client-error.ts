/**
 * Errors Node's HTTP parser raises before Fastify sees a request (malformed request line or headers,
 * headers too large, a request that did not arrive in time): answered in the API's error shape
 * `{"error":{"code","message"}}`, then the socket is closed.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { ApiError, errorBody } from './api-error.js';

function answerFor(err: NodeJS.ErrnoException): ApiError {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ApiError('REQUEST_TIMEOUT', 'the request did not arrive in time');
    case 'HPE_HEADER_OVERFLOW':
      return new ApiError('HEADERS_TOO_LARGE', 'request headers are larger than the server accepts');
    default:
      return new ApiError('BAD_REQUEST', 'malformed HTTP request');
  }
}

export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  // a reset connection has nobody left to answer
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const a = answerFor(err);
  const body = JSON.stringify(errorBody(a));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${a.statusCode} ${STATUS_CODES[a.statusCode] ?? ''}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
