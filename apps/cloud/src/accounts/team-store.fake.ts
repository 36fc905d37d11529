/* eslint-disable @typescript-eslint/require-await -- the fake answers at once, through the promises of what it stands for */
import { EntityManager } from 'typeorm';
import type { TeamEntity } from './team.entity';
import type { TeamStore } from './team-store';

/** `teams` in memory. */
export class InMemoryTeams implements Pick<TeamStore, keyof TeamStore> {
  readonly rows: TeamEntity[] = [];
  /** Teams whose row a transaction locked, in order. */
  readonly locked: number[] = [];

  async get(id: number) {
    const team = this.rows.find((t) => t.id === id);
    if (!team) throw new Error(`no team ${id}`);
    return team;
  }
  async insert(_m: EntityManager, name: string) {
    const team = { id: this.rows.length + 1, name, windowSeq: 0, createdAt: new Date() };
    this.rows.push(team);
    return team;
  }
  async lock(_m: EntityManager, teamId: number) {
    this.locked.push(teamId);
  }
  async nextWindowSeq(_m: EntityManager, teamId: number) {
    const team = await this.get(teamId);
    return ++team.windowSeq;
  }
}
