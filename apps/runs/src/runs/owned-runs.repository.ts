import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { OwnedRepository } from '@runnerly/security';
import { Repository } from 'typeorm';
import { Run } from './run.entity';

/**
 * The runs table as every feature must read and change it: each query carries the owner condition of
 * an OwnerScope, and another user's run answers 404 exactly like a missing one (OWASP API1).
 */
@Injectable()
export class OwnedRuns extends OwnedRepository<Run> {
  constructor(@InjectRepository(Run) repository: Repository<Run>) {
    super(repository, 'userId', 'Run not found.');
  }
}
