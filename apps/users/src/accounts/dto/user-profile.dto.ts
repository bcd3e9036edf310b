import { ApiProperty } from '@nestjs/swagger';
import { type Role, ROLES } from '@runnerly/security';
import { type Account } from '../account.entity';

/**
 * What clients see of an account. Responses are built field by field from the entity, never by
 * returning the entity itself, so a column added later (or the password hash) cannot leak (OWASP API3).
 */
export class UserProfile {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  email!: string;

  @ApiProperty()
  displayName!: string;

  /** Whether the owner has shown they read mail at this address (a verification or reset link opened). */
  @ApiProperty()
  emailVerified!: boolean;

  @ApiProperty({ enum: ROLES })
  role!: Role;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  static of(account: Account): UserProfile {
    return {
      id: account.id,
      email: account.email,
      displayName: account.displayName,
      emailVerified: account.emailVerifiedAt !== null,
      role: account.role,
      createdAt: account.createdAt.toISOString(),
    };
  }
}

export class UserPage {
  @ApiProperty({ type: [UserProfile] })
  items!: UserProfile[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}
