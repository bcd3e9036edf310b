import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { type Duplex } from 'node:stream';
import { AppException } from '../errors/app.exception';
import { type ErrorCode } from '../errors/error-code';
import { toErrorBody } from '../errors/error-response';
import { REQUEST_ID_HEADER } from './request-id';
import { API_CSP, SECURITY_HEADERS } from './security-headers';

/**
 * Answers on a raw connection, before (or instead of) any HTTP request handling: a request that never
 * finished arriving (408), one the HTTP parser refused (400, 431), a client over its connection limit
 * (429). The answer still has the common error shape and every security header, then the connection
 * closes. Never throws: the socket may already be gone.
 */
export function writeRawError(socket: Duplex, code: ErrorCode, message: string): void {
  if (socket.destroyed) return;
  const requestId = randomUUID();
  const error = toErrorBody(new AppException(code, message), requestId);
  const body = JSON.stringify(error);
  const headers = {
    ...SECURITY_HEADERS,
    'content-security-policy': API_CSP,
    'cache-control': 'no-store',
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    [REQUEST_ID_HEADER]: requestId,
    connection: 'close',
  };
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n');
  const response = `HTTP/1.1 ${error.statusCode} ${STATUS_CODES[error.statusCode]}\r\n${head}\r\n\r\n${body}`;
  if (socket.writable) socket.end(response, () => socket.destroy());
  else socket.destroy();
}
