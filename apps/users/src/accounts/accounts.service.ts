import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { decodeCursor, isUniqueViolation, toPage } from '@runnerly/database';
import {
  AppException,
  AuditEvent,
  AuditLog,
  CredentialThrottle,
  ErrorCode,
  type Page,
  type PageQuery,
  PasswordHasher,
  passwordProblems,
  type Role,
  type UserPrincipal,
} from '@runnerly/security';
import { Repository } from 'typeorm';
import { RefreshTokenRotation } from '../sessions/refresh-token-rotation.service';
import { Account } from './account.entity';
import { type ChangePasswordDto } from './dto/change-password.dto';
import { type RegisterDto } from './dto/register.dto';
import { UserProfile } from './dto/user-profile.dto';

/** Accounts: registration, profile, password, roles. Every lookup by id answers 404 when absent. */
@Injectable()
export class AccountsService {
  constructor(
    @InjectRepository(Account) private readonly accounts: Repository<Account>,
    private readonly hasher: PasswordHasher,
    private readonly sessions: RefreshTokenRotation,
    private readonly throttle: CredentialThrottle,
    private readonly audit: AuditLog,
  ) {}

  async register(dto: RegisterDto, role: Role = 'user'): Promise<Account> {
    const passwordHash = await this.hasher.hash(dto.password);
    try {
      const account = await this.accounts.save(
        this.accounts.create({ email: dto.email, displayName: dto.displayName, passwordHash, role }),
      );
      this.audit.record(AuditEvent.Registered, { userId: account.id, role });
      return account;
    } catch (error) {
      // Checked by the unique index, not by a read first, so two concurrent sign-ups cannot both win.
      if (isUniqueViolation(error))
        throw new AppException(ErrorCode.Conflict, 'An account with this email already exists.');
      throw error;
    }
  }

  /** The account with its password hash, for credential checks only. */
  /** The account with its password hash (selected only where a password is checked); 404 when absent. */
  async getWithPasswordHash(id: string): Promise<Account> {
    const account = await this.accounts
      .createQueryBuilder('account')
      .addSelect('account.passwordHash')
      .where('account.id = :id', { id })
      .getOne();
    if (!account) throw new AppException(ErrorCode.NotFound, 'Account not found.');
    return account;
  }

  findWithPasswordHash(email: string): Promise<Account | null> {
    return this.accounts
      .createQueryBuilder('account')
      .addSelect('account.passwordHash')
      .where('account.email = :email', { email })
      .getOne();
  }

  findByEmail(email: string): Promise<Account | null> {
    return this.accounts.findOneBy({ email });
  }

  /**
   * An account for someone an OpenID provider vouches for, with the address it verified. It has no password
   * anyone knows: the hash is of 256 random bits, thrown away, so no password login works until the owner
   * sets one through a password-reset link mailed to that address.
   */
  async createWithVerifiedEmail(email: string, displayName: string, issuer: string): Promise<Account> {
    const passwordHash = await this.hasher.hash(randomBytes(32).toString('base64url'));
    try {
      const account = await this.accounts.save(
        this.accounts.create({ email, displayName, passwordHash, role: 'user', emailVerifiedAt: new Date() }),
      );
      this.audit.record(AuditEvent.Registered, { userId: account.id, role: 'user', issuer });
      return account;
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AppException(ErrorCode.Conflict, 'An account with this email already exists.');
      throw error;
    }
  }

  async get(id: string): Promise<Account> {
    const account = await this.accounts.findOneBy({ id });
    if (!account) throw new AppException(ErrorCode.NotFound, 'Account not found.');
    return account;
  }

  async updateDisplayName(id: string, displayName: string): Promise<Account> {
    await this.accounts.update({ id }, { displayName });
    return this.get(id);
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.accounts.update({ id }, { passwordHash });
  }

  /**
   * Changes the password after checking the current one (throttled like a login: a stolen access token
   * must not become a way to guess the password), against the same rules as at registration; every other
   * session of the user ends.
   */
  async changePassword(user: UserPrincipal, dto: ChangePasswordDto, clientIp: string): Promise<void> {
    const account = await this.getWithPasswordHash(user.id);
    const problems = passwordProblems(dto.newPassword, account.email);
    if (problems.length > 0) {
      throw new AppException(ErrorCode.ValidationFailed, 'The request is invalid.', [
        { field: 'newPassword', problems },
      ]);
    }
    const verified = await this.throttle.authenticate(account.email, clientIp, async () =>
      (await this.hasher.verify(account.passwordHash, dto.currentPassword)) ? account : null,
    );
    if (!verified) throw new AppException(ErrorCode.InvalidCredentials, 'The current password is wrong.');
    await this.updatePasswordHash(user.id, await this.hasher.hash(dto.newPassword));
    await this.sessions.endAllSessions(user.id, 'password-change', user.sessionId);
    this.audit.record(AuditEvent.PasswordChanged, { userId: user.id });
  }

  /** Log out everywhere: every session of the account ends, the caller's own included. */
  async logOutEverywhere(user: UserPrincipal): Promise<void> {
    await this.sessions.endAllSessions(user.id, 'logout-everywhere');
    this.audit.record(AuditEvent.LoggedOut, { userId: user.id, reason: 'everywhere' });
  }

  async list(query: PageQuery): Promise<Page<UserProfile>> {
    const builder = this.accounts
      .createQueryBuilder('account')
      .orderBy('account.createdAt', 'ASC')
      .addOrderBy('account.id', 'ASC')
      .limit(query.limit + 1);
    if (query.cursor) {
      const after = decodeCursor(query.cursor);
      builder.where('(account.createdAt, account.id) > (:at, :id)', { at: after.at, id: after.id });
    }
    const rows = await builder.getMany();
    return toPage(rows, query.limit, (row) => ({ at: row.createdAt, id: row.id }), UserProfile.of);
  }

  /**
   * Changes another account's role. Admins cannot change their own role (so the last admin cannot lock
   * everyone out), and the target's sessions end, so the new role applies from its next login.
   */
  async changeRole(admin: UserPrincipal, targetId: string, role: Role): Promise<Account> {
    if (targetId === admin.id)
      throw new AppException(ErrorCode.Conflict, 'Admins cannot change their own role.');
    const account = await this.get(targetId);
    if (account.role !== role) {
      await this.accounts.update({ id: targetId }, { role });
      await this.sessions.endAllSessions(targetId, 'role-change');
      this.audit.record(AuditEvent.RoleChanged, { userId: admin.id, targetId, role });
    }
    return this.get(targetId);
  }

  /**
   * Ends every session of an account for someone who runs the system (a stolen laptop reported to support,
   * an account taken over): its refresh tokens stop at once, its access tokens wherever revocation reaches.
   * `adminId` names the admin who asked; none when an operator ran the command line. Returns how many ended.
   */
  async endSessionsOf(accountId: string, adminId?: string): Promise<number> {
    await this.get(accountId);
    const ended = await this.sessions.endAllSessions(accountId, 'ended-by-admin');
    this.audit.record(AuditEvent.LoggedOut, {
      userId: adminId,
      targetId: accountId,
      reason: adminId ? 'every session, by an admin' : 'every session, by an operator',
    });
    return ended;
  }

  async anyAdminExists(): Promise<boolean> {
    return this.accounts.existsBy({ role: 'admin' });
  }
}
