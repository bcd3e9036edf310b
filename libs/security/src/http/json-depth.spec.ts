import { Body, Controller, Post } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsString, MaxLength } from 'class-validator';
import { Public } from '../auth/auth.decorators';
import { createTestApp } from '../testing';
import { jsonNestingExceeds, MAX_JSON_DEPTH } from './json-depth';

class NoteDto {
  @IsString()
  @MaxLength(100)
  text!: string;
}

@Public()
@Controller('notes')
class Notes {
  @Post()
  create(@Body() body: NoteDto): { text: string } {
    return { text: body.text };
  }
}

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('JSON nesting limit (createServiceApp)', () => {
  let app: NestFastifyApplication;
  const post = (payload: string) =>
    app.inject({ method: 'POST', url: '/notes', headers: { 'content-type': 'application/json' }, payload });

  beforeAll(async () => {
    app = await createTestApp({ controllers: [Notes] });
  });
  afterAll(() => app.close());

  it.each([
    [`${MAX_JSON_DEPTH + 1} levels in a field`, `{"text":${nested(MAX_JSON_DEPTH)}}`],
    ['8,000 levels (which overflowed class-transformer: a 500)', nested(8000)],
    ['2,700 levels of objects', `${'{"a":'.repeat(2700)}1${'}'.repeat(2700)}`],
  ])('refuses a body nested %s with 400 in the common error shape', async (_case, payload) => {
    const response = await post(payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      statusCode: 400,
      code: 'REQUEST.MALFORMED',
      message: 'The request is malformed.',
    });
  });

  it(`lets a body nested ${MAX_JSON_DEPTH} levels through to validation`, async () => {
    const response = await post(`{"text":${nested(MAX_JSON_DEPTH - 1)}}`);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'VALIDATION.FAILED', fields: [{ field: 'text' }] });
  });

  it('still parses ordinary bodies and still refuses a __proto__ member', async () => {
    expect((await post('{"text":"[[[{{{ in a string"}')).json()).toEqual({ text: '[[[{{{ in a string' });
    expect((await post('{"text":"x","__proto__":{"polluted":true}}')).statusCode).toBe(400);
  });

  it('counts only the brackets outside strings, escaped quotes included', () => {
    expect(jsonNestingExceeds('["[[[[", "\\"[[[["]', 2)).toBe(false);
    expect(jsonNestingExceeds('[[["\\\\"]]]', 2)).toBe(true);
  });
});
