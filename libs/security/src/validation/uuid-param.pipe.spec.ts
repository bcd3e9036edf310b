import { randomUUID } from 'node:crypto';
import { AppException } from '../errors/app.exception';
import { uuidParam } from './uuid-param.pipe';

describe('uuidParam', () => {
  const metadata = { type: 'param' as const, data: 'runId' };

  it('passes a UUID through', async () => {
    const id = randomUUID();
    expect(await uuidParam('runId').transform(id, metadata)).toBe(id);
  });

  it.each(['42', 'not-a-uuid', `${randomUUID()}x`, "1' OR '1'='1"])(
    'refuses %p with 400 naming the parameter, not the value',
    async (value) => {
      const error = await uuidParam('runId')
        .transform(value, metadata)
        .catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(AppException);
      expect(error).toMatchObject({
        code: 'VALIDATION.FAILED',
        fields: [{ field: 'runId', problems: ['runId must be a UUID'] }],
      });
      expect(JSON.stringify((error as AppException).fields)).not.toContain(value);
    },
  );

  it('names the parameter `id` by default', async () => {
    const error = await uuidParam()
      .transform('x', { type: 'param', data: 'id' })
      .catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ fields: [{ field: 'id' }] });
  });
});
