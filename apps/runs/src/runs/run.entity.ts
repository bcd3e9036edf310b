import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** One activity of one runner. Its owner is `userId`, set from the caller's token and never changed. */
@Entity({ name: 'runs' })
export class Run {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid', update: false })
  userId!: string;

  @Column({ type: 'varchar', length: 100 })
  title!: string;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  notes!: string | null;

  @Column({ name: 'distance_meters', type: 'integer' })
  distanceMeters!: number;

  @Column({ name: 'duration_seconds', type: 'integer' })
  durationSeconds!: number;

  /** Millisecond precision, like a JS Date, so that keyset cursors compare exactly. */
  @Column({ name: 'started_at', type: 'timestamptz', precision: 3 })
  startedAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt!: Date;
}
