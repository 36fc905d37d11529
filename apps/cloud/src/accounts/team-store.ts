import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { TeamEntity } from './team.entity';

/** Reads and writes of `teams`: created at registration, locked by membership changes, numbering windows. */
@Injectable()
export class TeamStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  get(id: number): Promise<TeamEntity> {
    return this.db.getRepository(TeamEntity).findOneByOrFail({ id });
  }

  insert(manager: EntityManager, name: string): Promise<TeamEntity> {
    return manager.save(manager.create(TeamEntity, { name }));
  }

  /** Holds the team's row until the transaction ends: membership changes of a team run one after the other. */
  async lock(manager: EntityManager, teamId: number): Promise<void> {
    await manager.query(`SELECT id FROM teams WHERE id = $1 FOR UPDATE`, [teamId]);
  }

  /** The team's next window number; the team's row stays locked, which also orders concurrent creates. */
  async nextWindowSeq(manager: EntityManager, teamId: number): Promise<number> {
    // UPDATE answers [rows, rowCount].
    const [[{ window_seq: seq }]] = await manager.query<[[{ window_seq: number }], number]>(
      `UPDATE teams SET window_seq = window_seq + 1 WHERE id = $1 RETURNING window_seq`,
      [teamId],
    );
    return seq;
  }
}
