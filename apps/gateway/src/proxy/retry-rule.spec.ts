import { mayRetry } from './retry-rule';

const KEY = { 'idempotency-key': '5f0c6a9e-2b1d-4c3e-9a7f-1e2d3c4b5a60' };
const error = (code: string) => Object.assign(new Error(code), { code });

describe('mayRetry', () => {
  it.each([
    // never sent: always safe
    ['POST', {}, 'ECONNREFUSED', true],
    ['PATCH', {}, 'UND_ERR_CONNECT_TIMEOUT', true],
    ['DELETE', {}, 'ENOTFOUND', true],
    // broken after the request may have gone out: safe for GET/HEAD, and for writes with a key
    ['GET', {}, 'ECONNRESET', true],
    ['HEAD', {}, 'UND_ERR_SOCKET', true],
    ['POST', {}, 'ECONNRESET', false],
    ['POST', {}, 'UND_ERR_SOCKET', false],
    ['DELETE', {}, 'EPIPE', false],
    ['POST', KEY, 'ECONNRESET', true],
    ['PATCH', KEY, 'UND_ERR_SOCKET', true],
    // a timeout: the service may still be working on it, and the time is spent
    ['GET', {}, 'UND_ERR_HEADERS_TIMEOUT', false],
    ['POST', KEY, 'UND_ERR_BODY_TIMEOUT', false],
    ['GET', {}, 'SOMETHING_ELSE', false],
  ])('%s %j failed with %s: retry on another instance = %s', (method, headers, code, expected) => {
    expect(mayRetry({ method, headers, cause: error(code) })).toBe(expected);
  });

  it('does not retry a failure whose cause is unknown', () => {
    expect(mayRetry({ method: 'GET', headers: {}, cause: undefined })).toBe(false);
  });
});
