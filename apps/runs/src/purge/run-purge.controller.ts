import { Controller, Delete, HttpCode, HttpStatus, Param } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CurrentService, Scopes, type ServicePrincipal, uuidParam } from '@runnerly/security';
import { RunPurge } from './run-purge.service';

export const RUNS_PURGE_SCOPE = 'runs:purge';

/**
 * `DELETE /internal/users/:userId/runs`, called by `users` when an account is deleted. Service tokens
 * carrying `runs:purge` only: a user's access token is refused (401), even an admin's, since no person
 * should be able to wipe another's history through this door. Not routed by the gateway, not documented.
 */
@ApiExcludeController()
@Controller('internal/users/:userId/runs')
export class RunPurgeController {
  constructor(private readonly purge: RunPurge) {}

  @Scopes(RUNS_PURGE_SCOPE)
  @HttpCode(HttpStatus.NO_CONTENT)
  @Delete()
  async purgeRunsOf(
    @CurrentService() caller: ServicePrincipal,
    @Param('userId', uuidParam('userId')) userId: string,
  ): Promise<void> {
    await this.purge.purgeRunsOf(userId, caller);
  }
}
