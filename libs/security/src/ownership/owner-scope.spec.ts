import { type UserPrincipal } from '../auth/principal';
import { OwnerScope } from './owner-scope';

const principal = (id: string, role: 'user' | 'admin'): UserPrincipal => ({
  kind: 'user',
  id,
  role,
  sessionId: 's',
  tokenId: 't',
  secondFactor: false,
});
const ann = principal('ann', 'user');
const admin = principal('root', 'admin');

describe('OwnerScope', () => {
  it('scopes a user to their own objects', () => {
    expect(OwnerScope.of(ann).ownerId).toBe('ann');
  });

  it('lets a user name themselves', () => {
    expect(OwnerScope.of(ann, 'ann').ownerId).toBe('ann');
  });

  it('refuses a user naming another owner with 403 instead of ignoring it, as an audited denial', () => {
    const attempt = () => OwnerScope.of(ann, 'bob');
    expect(attempt).toThrow("Only admins may read other users' data.");
    expect(attempt).toThrow(
      expect.objectContaining({
        code: 'AUTH.FORBIDDEN',
        audit: {
          event: 'authz.denied',
          details: { userId: 'ann', targetId: 'bob', reason: 'requires role admin' },
        },
      }),
    );
  });

  it('scopes an admin to every owner, or to the one they name', () => {
    expect(OwnerScope.of(admin).ownerId).toBeNull();
    expect(OwnerScope.of(admin, 'bob').ownerId).toBe('bob');
  });

  it('scopes a service call to exactly one owner', () => {
    expect(OwnerScope.ofOwner('bob').ownerId).toBe('bob');
  });
});
