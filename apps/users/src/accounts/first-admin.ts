import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { passwordProblems } from '@runnerly/security';
import { UsersConfig } from '../users.config';
import { AccountsService } from './accounts.service';

/**
 * There is no default admin. The first one comes from BOOTSTRAP_ADMIN_EMAIL and a password given as
 * a secret (BOOTSTRAP_ADMIN_PASSWORD_FILE), used only while no admin exists, or from the CLI
 * (`npm run users:cli -- create-admin`). An existing account is never promoted by this path: whoever
 * registered that email first would otherwise become admin.
 */
@Injectable()
export class FirstAdmin implements OnApplicationBootstrap {
  private readonly logger = new Logger('FirstAdmin');

  constructor(
    private readonly accounts: AccountsService,
    private readonly config: UsersConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const email = this.config.BOOTSTRAP_ADMIN_EMAIL;
    const password = this.config.BOOTSTRAP_ADMIN_PASSWORD;
    if (!email || !password || (await this.accounts.anyAdminExists())) return;
    const problems = passwordProblems(password, email);
    if (problems.length > 0) {
      this.logger.error({ problems }, 'BOOTSTRAP_ADMIN_PASSWORD is not acceptable; no admin created');
      return;
    }
    try {
      const admin = await this.createAdmin(email, password);
      this.logger.log({ userId: admin }, 'Created the first admin account');
    } catch {
      this.logger.error('Could not create the first admin (is the email already registered?)');
    }
  }

  private async createAdmin(email: string, password: string): Promise<string> {
    const account = await this.accounts.register({ email, password, displayName: 'Administrator' }, 'admin');
    return account.id;
  }
}
