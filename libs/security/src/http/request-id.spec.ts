import { type IncomingMessage } from 'node:http';
import { requestIdGenerator } from './request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const requestWith = (id?: string | string[]) =>
  ({ headers: id === undefined ? {} : { 'x-request-id': id } }) as IncomingMessage;

describe('requestIdGenerator', () => {
  describe('at the edge (incoming ids not trusted)', () => {
    const generate = requestIdGenerator(false);

    it('makes a new UUID for every request, whatever the client sends', () => {
      const ids = [generate(requestWith('client-chosen-id')), generate(requestWith())];
      expect(ids).toEqual([expect.stringMatching(UUID), expect.stringMatching(UUID)]);
      expect(ids[0]).not.toBe(ids[1]);
    });
  });

  describe('behind the gateway (incoming ids trusted)', () => {
    const generate = requestIdGenerator(true);

    it.each(['gw-7f3a', '0b7996d1-1cee-4f8a-a90c-56195e64852c', 'a.b:c_d-e', 'x'.repeat(128)])(
      'keeps the forwarded id %p',
      (id) => {
        expect(generate(requestWith(id))).toBe(id);
      },
    );

    it.each([
      ['an empty id', ''],
      ['an id over 128 characters', 'x'.repeat(129)],
      ['an id with spaces', 'forged entry'],
      ['an id with markup', '<script>'],
      ['an id with JSON quotes', '","level":"fatal'],
      ['a repeated header', ['a', 'b']],
    ])('replaces %s by a new UUID', (_case, id) => {
      expect(generate(requestWith(id))).toMatch(UUID);
    });

    it('makes a new UUID when none was forwarded', () => {
      expect(generate(requestWith())).toMatch(UUID);
    });
  });
});
