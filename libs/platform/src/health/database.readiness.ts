import { Injectable } from '@nestjs/common';
import { type ReadinessCheck } from './readiness-check';
import { DataSource } from 'typeorm';

/** Ready when the service's database answers a trivial query. */
@Injectable()
export class DatabaseReadiness implements ReadinessCheck {
  readonly name = 'database';

  constructor(private readonly dataSource: DataSource) {}

  async isReady(): Promise<boolean> {
    await this.dataSource.query('SELECT 1');
    return true;
  }
}
