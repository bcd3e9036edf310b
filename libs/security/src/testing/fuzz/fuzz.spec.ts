import fc from 'fast-check';
import { BuiltInsSnapshot } from './built-ins.snapshot';
import { expectSafeAnswer, MAX_ERROR_BODY_BYTES } from './answer.checks';
import { DEFAULT_FUZZ_SEED, fuzzParameters } from './fuzz-parameters';
import { LENGTH_MEASURES, stringsAroundBound } from './length.arbitraries';
import { deepJson, jsonObjectText, withUnknownMember } from './json.arbitraries';
import { jsonBodies, percentEncode } from './request.arbitraries';

// The fuzz properties are only worth something if their checks can fail and their generators make
// what they promise: a check that never fails, or a generator that never reaches a bound, proves nothing.

const errorBody = (status: number, extra: object = {}) =>
  JSON.stringify({
    statusCode: status,
    error: 'Bad Request',
    code: 'VALIDATION.FAILED',
    message: 'x',
    requestId: 'r',
    ...extra,
  });

describe('expectSafeAnswer', () => {
  it.each([
    ['a 2xx with any body', 200, 'anything'],
    ['a 4xx in the common error shape', 400, errorBody(400, { fields: [{ field: 'a', problems: ['b'] }] })],
  ])('accepts %s', (_case, status, body) => {
    expect(() => expectSafeAnswer({ status, body })).not.toThrow();
  });

  it.each([
    ['a 5xx', 500, errorBody(500), 'expected 2xx or 4xx'],
    ['a 3xx', 302, '', 'expected 2xx or 4xx'],
    ['a 4xx that is not JSON', 400, 'Bad Request', 'not JSON'],
    ['a 4xx with a member of its own', 400, errorBody(400, { stack: 'at x' }), 'unexpected members stack'],
    ['a 4xx whose statusCode differs', 404, errorBody(400), 'statusCode differs'],
    ['a 4xx with an unknown code', 400, errorBody(400, { code: 'OOPS' }), 'not an ErrorCode'],
    ['a 4xx without requestId', 400, errorBody(400, { requestId: '' }), 'requestId is missing'],
    ['a 4xx with malformed fields', 400, errorBody(400, { fields: [{ field: 1 }] }), 'fields is not'],
    ['a 4xx too large', 400, errorBody(400, { message: 'm'.repeat(MAX_ERROR_BODY_BYTES) }), 'bytes'],
  ])('refuses %s', (_case, status, body, problem) => {
    expect(() => expectSafeAnswer({ status, body })).toThrow(problem);
  });
});

describe('BuiltInsSnapshot', () => {
  it('notices a property added to Object.prototype, and no more once it is gone', () => {
    const snapshot = BuiltInsSnapshot.take();
    Object.defineProperty(Object.prototype, 'polluted', { value: true, configurable: true });
    try {
      expect(() => snapshot.expectUnchanged()).toThrow('Object.prototype.polluted was added');
    } finally {
      delete (Object.prototype as { polluted?: boolean }).polluted;
    }
    expect(() => snapshot.expectUnchanged()).not.toThrow();
  });

  it('notices a method of Array.prototype replaced', () => {
    const snapshot = BuiltInsSnapshot.take();
    const includes = Array.prototype.includes;
    Array.prototype.includes = () => true;
    try {
      expect(() => snapshot.expectUnchanged()).toThrow('Array.prototype.includes was changed');
    } finally {
      Array.prototype.includes = includes;
    }
  });
});

describe('fuzzParameters', () => {
  it('uses the default seed and the given runs, or FUZZ_SEED and FUZZ_RUNS', () => {
    expect(fuzzParameters(40, {})).toEqual({ seed: DEFAULT_FUZZ_SEED, numRuns: 40 });
    expect(fuzzParameters(40, { FUZZ_SEED: '-7', FUZZ_RUNS: '1000' })).toEqual({ seed: -7, numRuns: 1000 });
  });

  it.each([
    ['FUZZ_RUNS', '0'],
    ['FUZZ_RUNS', 'many'],
    ['FUZZ_SEED', '1.5'],
    ['FUZZ_SEED', String(2 ** 31)],
  ])('refuses %s=%s rather than running something else', (name, value) => {
    expect(() => fuzzParameters(40, { [name]: value })).toThrow(name);
  });
});

describe('the generators', () => {
  const sample = <T>(arbitrary: fc.Arbitrary<T>, numRuns = 300) => fc.sample(arbitrary, { seed: 1, numRuns });

  it('make strings one short of, at and one past a bound by each length measure', () => {
    const hits = new Set(
      sample(stringsAroundBound(100)).flatMap((text) =>
        Object.entries(LENGTH_MEASURES).map(([measure, length]) => `${measure}:${length(text) - 100}`),
      ),
    );
    for (const measure of Object.keys(LENGTH_MEASURES))
      expect([...hits].filter((hit) => hit.startsWith(`${measure}:`))).toEqual(
        expect.arrayContaining([`${measure}:-1`, `${measure}:0`, `${measure}:1`]),
      );
  });

  it('make nested JSON that parses, fits the byte budget and reaches it', () => {
    const texts = sample(deepJson(1000));
    for (const text of texts) expect(() => JSON.parse(text)).not.toThrow();
    expect(Math.max(...texts.map((text) => text.length))).toBeGreaterThan(900);
    expect(Math.max(...texts.map((text) => text.length))).toBeLessThanOrEqual(1000);
  });

  it('keep a __proto__ member as an own member of the JSON text', () => {
    expect(jsonObjectText([['__proto__', '{"admin":true}']])).toBe('{"__proto__":{"admin":true}}');
  });

  it('add exactly one member to a valid body, under a name the body does not declare', () => {
    const valid = { email: 'ada@example.com', password: 'correct horse battery staple' };
    for (const text of sample(withUnknownMember(valid))) {
      const body = JSON.parse(text) as Record<string, unknown>;
      expect(body).toMatchObject(valid);
      expect(Object.keys(body)).toHaveLength(3);
    }
  });

  it('change mostly one field of a valid body, so that most values meet an otherwise valid body', () => {
    const valid = { a: 'a', b: 'b', c: 'c' };
    const changed = { a: fc.constant('A'), b: fc.constant('B'), c: fc.constant('C') };
    const bodies = sample(jsonBodies(valid, changed), 500);
    const withOneChange = bodies.filter((body) =>
      ['{"a":"A","b":"b","c":"c"}', '{"a":"a","b":"B","c":"c"}', '{"a":"a","b":"b","c":"C"}'].includes(body),
    );
    expect(withOneChange.length / bodies.length).toBeGreaterThan(0.4);
  });

  it('percent-encode text so that decoding gives it back, and a lone surrogate as invalid UTF-8', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        (text) => decodeURIComponent(percentEncode(text)) === text,
      ),
    );
    expect(percentEncode('a\ud800')).toBe('a%ED%A0%80');
    expect(() => decodeURIComponent(percentEncode('\ud800'))).toThrow(URIError);
  });
});
