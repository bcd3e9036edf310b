import { validated, validationProblemsOf } from '../testing';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageQuery } from './page.query';

describe('PageQuery', () => {
  const parse = (query: Record<string, string>) => validated(PageQuery, query, 'query');
  const fieldsOf = async (query: Record<string, string>) =>
    (await validationProblemsOf(PageQuery, query, 'query')).map(({ field }) => field);

  it('defaults to a page of 20 without a cursor', async () => {
    expect(await parse({})).toEqual(Object.assign(new PageQuery(), { limit: DEFAULT_PAGE_SIZE }));
  });

  it('reads the limit from the query string as a number', async () => {
    expect(await parse({ limit: '50', cursor: 'abc_DEF-123' })).toMatchObject({
      limit: 50,
      cursor: 'abc_DEF-123',
    });
  });

  it.each([
    ['a limit over the cap', { limit: String(MAX_PAGE_SIZE + 1) }, ['limit']],
    ['a zero limit', { limit: '0' }, ['limit']],
    ['a limit that is not a number', { limit: 'all' }, ['limit']],
    ['a cursor with characters a cursor never has', { cursor: "x' OR 1=1 --" }, ['cursor']],
    ['a cursor over 200 characters', { cursor: 'a'.repeat(201) }, ['cursor']],
    ['an unknown parameter', { userId: 'someone-else' }, ['userId']],
  ])('refuses %s with a validation error', async (_case, query, fields) => {
    expect(await fieldsOf(query)).toEqual(fields);
  });
});
