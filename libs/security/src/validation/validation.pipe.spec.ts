import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { Public } from '../auth/auth.decorators';
import { createTestApp } from '../testing';
import { MAX_FIELD_NAME_LENGTH, MAX_LISTED_FIELDS } from './validation.pipe';

class PlaceDto {
  @IsString()
  @MaxLength(50)
  city!: string;
}

class TagDto {
  @IsString()
  @MaxLength(20)
  name!: string;
}

class CreateRunDto {
  @IsString()
  @MaxLength(100)
  title!: string;

  @IsInt()
  @Min(1)
  @Max(1_000_000)
  distanceMeters!: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => PlaceDto)
  place?: PlaceDto;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(3)
  @ValidateNested({ each: true })
  @Type(() => TagDto)
  tags?: TagDto[];
}

class SearchQuery {
  @IsOptional()
  @IsString()
  @MaxLength(20)
  q?: string;
}

@Public()
@Controller('runs')
class RunsController {
  @Get()
  search(@Query() query: SearchQuery): SearchQuery {
    return query;
  }

  @Post()
  create(@Body() body: CreateRunDto): { dto: boolean; place: boolean; tag: boolean; body: CreateRunDto } {
    return {
      dto: body instanceof CreateRunDto,
      place: body.place instanceof PlaceDto,
      tag: body.tags?.[0] instanceof TagDto,
      body,
    };
  }
}

const DISTINCTIVE = 'x9q7-submitted-value';
const valid = {
  title: 'Morning run',
  distanceMeters: 5000,
  place: { city: 'Lyon' },
  tags: [{ name: 'easy' }],
};

describe('createValidationPipe', () => {
  let app: NestFastifyApplication;
  const post = (payload: unknown) =>
    app.inject({
      method: 'POST',
      url: '/runs',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });
  const fieldsOf = async (payload: unknown) => {
    const response = await post(payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      statusCode: 400,
      code: 'VALIDATION.FAILED',
      message: 'The request is invalid.',
    });
    return (response.json() as { fields: { field: string }[] }).fields.map(({ field }) => field);
  };

  beforeAll(async () => {
    app = await createTestApp({ controllers: [RunsController] });
  });
  afterAll(() => app.close());

  it('hands a valid body to the handler as instances of the DTO classes, nested ones included', async () => {
    const response = await post(valid);
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ dto: true, place: true, tag: true, body: valid });
  });

  it.each([
    ['a field the DTO does not declare (mass assignment)', { ...valid, role: 'admin' }, ['role']],
    [
      'an undeclared field in a nested object',
      { ...valid, place: { city: 'Lyon', ownerId: 'u' } },
      ['place.ownerId'],
    ],
    ['missing required fields', {}, ['title', 'distanceMeters']],
    [
      'a number sent as a string (no implicit conversion)',
      { ...valid, distanceMeters: '5000' },
      ['distanceMeters'],
    ],
    ['a number out of range', { ...valid, distanceMeters: 0 }, ['distanceMeters']],
    ['an invalid nested field', { ...valid, place: { city: 42 } }, ['place.city']],
    [
      'an invalid field in an array element',
      { ...valid, tags: [{ name: 'ok' }, { name: 7 }] },
      ['tags[1].name'],
    ],
    [
      'too many array elements',
      { ...valid, tags: [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }] },
      ['tags'],
    ],
  ])('refuses %s with 400 listing the offending fields', async (_case, payload, fields) => {
    expect(await fieldsOf(payload)).toEqual(fields);
  });

  it('explains each problem by rule, without echoing the submitted values', async () => {
    const response = await post({ ...valid, title: DISTINCTIVE.repeat(10), extra: DISTINCTIVE });
    expect(response.json().fields).toEqual(
      expect.arrayContaining([
        { field: 'title', problems: ['title must be shorter than or equal to 100 characters'] },
        { field: 'extra', problems: ['property extra should not exist'] },
      ]),
    );
    expect(response.body).not.toContain('x9q7');
  });

  it.each(['constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineSetter__', 'valueOf'])(
    'refuses a member named %s, which Nest and class-transformer would otherwise drop without a word',
    async (name) => {
      const response = await post({ ...valid, [name]: { x: 1 } });
      expect(response.statusCode).toBe(400);
      expect(response.json().fields).toEqual([
        { field: name, problems: [`property ${name} should not exist`] },
      ]);
    },
  );

  it.each([
    ['a field', { ...valid, title: 'Morning \ud800 run' }, 'title'],
    ['a nested field', { ...valid, place: { city: '\udfffLyon' } }, 'place.city'],
  ])('refuses a lone surrogate in %s as text that is not well-formed', async (_case, payload, field) => {
    const response = await post(payload);
    expect(response.statusCode).toBe(400);
    expect(response.json().fields).toEqual([
      { field, problems: [`${field} must be well-formed Unicode text`] },
    ]);
  });

  it('refuses such a member in a nested object, naming its path', async () => {
    expect(await fieldsOf({ ...valid, place: { city: 'Lyon', toString: 'x' } })).toEqual(['place.toString']);
  });

  it('refuses a __proto__ parameter in a query string, which Nest would otherwise drop without a word', async () => {
    const response = await app.inject({ method: 'GET', url: '/runs?q=x&__proto__=y' });
    expect(response.statusCode).toBe(400);
    expect(response.json().fields).toEqual([
      { field: '__proto__', problems: ['property __proto__ should not exist'] },
    ]);
    expect((await app.inject({ method: 'GET', url: '/runs?q=x' })).json()).toEqual({ q: 'x' });
  });

  it('lists at most 8 offending fields, so that a body of many unknown members gets a small answer', async () => {
    const unknown = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`extra${i}`, 0]));
    const response = await post({ ...valid, ...unknown });

    expect(response.statusCode).toBe(400);
    expect(response.json().fields).toHaveLength(MAX_LISTED_FIELDS);
    expect(response.body.length).toBeLessThan(1024);
  });

  it('shortens an over-long member name in the field and in its problem', async () => {
    const response = await post({ ...valid, ['n'.repeat(10_000)]: 0 });

    const shortName = `${'n'.repeat(MAX_FIELD_NAME_LENGTH)}…`;
    expect(response.json().fields).toEqual([
      { field: shortName, problems: [`property ${shortName} should not exist`] },
    ]);
    expect(response.body.length).toBeLessThan(1024);
  });

  it.each([
    ['an array', [valid]],
    ['a string', 'title'],
    ['a number', 42],
    ['null', null],
  ])('refuses %s as a body with 400', async (_case, payload) => {
    const response = await post(payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'VALIDATION.FAILED',
      fields: expect.arrayContaining([expect.anything()]),
    });
  });
});
