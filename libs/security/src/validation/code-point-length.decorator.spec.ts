import { validationProblemsOf } from '../testing';
import { CodePointLength } from './code-point-length.decorator';

class TitleDto {
  @CodePointLength(1, 10)
  title!: string;
}

class NotesDto {
  @CodePointLength(0, 10)
  notes!: string;
}

describe('CodePointLength', () => {
  const problemsOf = (title: unknown) => validationProblemsOf(TitleDto, { title });

  it.each([
    ['1 character', 'a'],
    ['10 characters', 'a'.repeat(10)],
    ['10 astral characters (20 UTF-16 units)', '\u{1f3c3}'.repeat(10)],
    ['10 code points making 5 graphemes', 'e\u0301'.repeat(5)],
  ])('accepts %s', async (_case, title) => {
    expect(await problemsOf(title)).toEqual([]);
  });

  it.each([
    ['an empty string', ''],
    ['11 characters', 'a'.repeat(11)],
    [
      '6 emoji presentation sequences: 12 code points, which validator.js counts as 6',
      '\u2764\ufe0f'.repeat(6),
    ],
    ['a number', 10],
  ])('refuses %s', async (_case, title) => {
    expect(await problemsOf(title)).toEqual([
      { field: 'title', problems: ['title must be 1 to 10 characters long'] },
    ]);
  });

  it('says "at most" when the field may be empty', async () => {
    expect(await validationProblemsOf(NotesDto, { notes: 'a'.repeat(11) })).toEqual([
      { field: 'notes', problems: ['notes must be at most 10 characters long'] },
    ]);
  });
});
