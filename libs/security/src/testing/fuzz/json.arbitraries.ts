import fc, { type Arbitrary } from 'fast-check';
import { hostileText, lookAlike } from './text.arbitraries';

/**
 * JSON text of an object with these members, in this order, values given as JSON text: a `__proto__`
 * member and duplicate names stay as written, which no object passed to JSON.stringify can do.
 */
export function jsonObjectText(members: readonly (readonly [name: string, valueJson: string])[]): string {
  return `{${members.map(([name, value]) => `${JSON.stringify(name)}:${value}`).join(',')}}`;
}

/** JSON text of any value, `undefined` included (as null). */
export const toJsonText = (value: unknown): string => JSON.stringify(value) ?? 'null';

/**
 * JSON text nested up to `maxBytes` long: arrays in arrays, objects in objects, or both. Hunts code that
 * walks a body recursively (class-transformer, `JSON.stringify` in a proxy) and overflows the stack.
 */
export const deepJson = (maxBytes: number): Arbitrary<string> =>
  fc.constantFrom('[', '{"a":', '[{"a":').chain((opening) => {
    const closing = [...opening]
      .filter((c) => c === '[' || c === '{')
      .map((c) => (c === '[' ? ']' : '}'))
      .reverse()
      .join('');
    const maxDepth = Math.max(1, Math.floor((maxBytes - 1) / (opening.length + closing.length)));
    return fc
      .oneof(
        fc.integer({ min: 1, max: Math.min(64, maxDepth) }),
        fc.integer({ min: 1, max: maxDepth }),
        fc.constant(maxDepth),
      )
      .map((depth) => `${opening.repeat(depth)}1${closing.repeat(depth)}`);
  });

/**
 * JSON text as wide as fits in `maxBytes`: an object with many members, an array of many elements, or
 * few members with very long names. Hunts per-member work and error bodies that grow with the request
 * (every unknown member listed back).
 */
export const wideJson = (maxBytes: number): Arbitrary<string> =>
  fc.constantFrom('members', 'elements', 'long names').chain((shape) =>
    fc.integer({ min: 1, max: Math.max(1, Math.floor(maxBytes / 12)) }).map((count) => {
      if (shape === 'elements') return `[${Array.from({ length: count }, () => '0').join(',')}]`;
      if (shape === 'long names') {
        const length = Math.max(1, Math.floor(maxBytes / Math.min(count, 4)) - 8);
        return jsonObjectText(
          Array.from({ length: Math.min(count, 4) }, (_, i) => [`${i}${'n'.repeat(length)}`, '0'] as const),
        );
      }
      return jsonObjectText(Array.from({ length: count }, (_, i) => [`k${i}`, '0'] as const));
    }),
  );

/**
 * Member names no DTO declares and naive code mishandles: `__proto__`, `constructor`, `prototype`, the
 * names Object.prototype carries (class-transformer silently skips them), empty, blank, NUL, very long,
 * unicode, and look-alikes of the `declared` names (`Email`, `ｅｍａｉｌ`, `email\u200b`). Hunts unknown
 * input accepted without a word (mass assignment, prototype pollution).
 */
export const hostileKey = (declared: readonly string[] = []): Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom('__proto__', 'constructor', 'prototype', ...Object.getOwnPropertyNames(Object.prototype)),
    fc.constantFrom('', ' ', '\u0000', '.', '[0]', 'a.b', '$where', 'role', 'id', 'userId', 'isAdmin'),
    fc.integer({ min: 200, max: 4000 }).map((length) => 'k'.repeat(length)),
    hostileText({ minLength: 1, maxLength: 20 }),
    ...(declared.length > 0
      ? [
          fc
            .constantFrom(...declared)
            .chain((name) => lookAlike(name).filter((spelling) => spelling !== name)),
        ]
      : []),
  );

/** A JSON value of any type, small: for fields that should be refused whatever their content. */
export const anyJsonValue = (): Arbitrary<unknown> =>
  fc.oneof(fc.jsonValue({ maxDepth: 2 }), hostileText(), fc.constantFrom(null, true, 0, -1, '', [], {}));

/**
 * JSON text of the `valid` body with one more member: a hostile name (see `hostileKey`, look-alikes of
 * the body's own names included) holding any value. An endpoint must refuse every one: a member it does
 * not declare is mass assignment, whatever its name.
 */
export const withUnknownMember = (valid: Readonly<Record<string, unknown>>): Arbitrary<string> =>
  fc
    .tuple(hostileKey(Object.keys(valid)), anyJsonValue())
    .map(([name, value]) =>
      jsonObjectText([
        ...Object.entries(valid).map(([field, fieldValue]) => [field, toJsonText(fieldValue)] as const),
        [name, toJsonText(value)],
      ]),
    );
