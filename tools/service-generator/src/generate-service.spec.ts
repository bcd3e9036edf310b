import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICES } from '@runnerly/platform';
import { generateService, nameProblem } from './generate-service';

describe('the name of a new service', () => {
  const root = join(__dirname, '../../..');

  it.each([
    ['Goals', 'is not a service name'],
    ['race-results', 'is not a service name'],
    ['g', 'is not a service name'],
    ['9lives', 'is not a service name'],
    ['a'.repeat(32), 'is not a service name'],
    ['runs', 'runs is already a service of the manifest'],
    ['gateway', 'gateway is already a service of the manifest'],
    ['postgres', 'postgres is reserved'],
    ['mail', 'mail is reserved'],
    ['platform', 'platform is reserved'],
  ])('refuses %p: %s', (name, problem) => {
    expect(nameProblem(name, SERVICES, root)).toContain(problem);
  });

  it('refuses a name whose app folder exists', () => {
    expect(nameProblem('goals', [], root)).toBeUndefined();
    expect(nameProblem('stacke2e', [], root)).toBeUndefined();
    expect(nameProblem('users', [], root)).toBe('apps/users exists already');
  });

  it('writes nothing when the name is refused', () => {
    const empty = mkdtempSync(join(tmpdir(), 'generator-'));
    try {
      expect(() => generateService({ root: empty, name: 'Bad Name', services: SERVICES })).toThrow(
        'is not a service name',
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
