/* eslint-disable @typescript-eslint/require-await -- the fake answers at once, through the promises of what it stands for */
import { DeepPartial, EntityManager } from 'typeorm';
import { MANAGER } from '../common/unit.fake';
import type { UserEntity } from './user.entity';
import type { UserStore } from './user-store';

/** `users` and `member_groups` in memory. */
export class InMemoryUsers implements Pick<UserStore, keyof UserStore> {
  readonly rows: UserEntity[] = [];
  /** [userId, groupId] */
  readonly memberGroups: [number, number][] = [];
  private nextId = 1;

  add(fields: Partial<UserEntity> & Pick<UserEntity, 'teamId' | 'role'>, groupIds: number[] = []): UserEntity {
    const id = this.nextId++;
    const user: UserEntity = {
      id,
      email: `u${id}@example.com`,
      name: '',
      passwordHash: '',
      permissions: [],
      scope: 'all',
      createdAt: new Date(),
      updatedAt: new Date(),
      ...fields,
    };
    this.rows.push(user);
    for (const groupId of groupIds) this.memberGroups.push([user.id, groupId]);
    return user;
  }

  byId(id: number): UserEntity | undefined {
    return this.rows.find((u) => u.id === id);
  }

  async findByEmail(email: string) {
    return this.rows.find((u) => u.email.toLowerCase() === email.toLowerCase()) ?? null;
  }
  async emailTaken(_m: EntityManager, email: string) {
    return (await this.findByEmail(email)) !== null;
  }
  async get(id: number) {
    const user = this.byId(id);
    if (!user) throw new Error(`no user ${id}`);
    return { ...user };
  }
  async ofTeam(teamId: number) {
    return this.rows.filter((u) => u.teamId === teamId).map((u) => ({ ...u }));
  }
  async lockMember(_m: EntityManager, teamId: number, userId: number) {
    const user = this.rows.find((u) => u.id === userId && u.teamId === teamId);
    return user ? { ...user } : null;
  }
  async lockOwners(_m: EntityManager, teamId: number) {
    return this.rows.filter((u) => u.teamId === teamId && u.role === 'owner').map((u) => ({ ...u }));
  }
  async insert(_m: EntityManager, fields: DeepPartial<UserEntity>) {
    return { ...this.add(fields as UserEntity) };
  }
  async save(_m: EntityManager, user: UserEntity) {
    Object.assign(this.byId(user.id) ?? {}, user);
    return user;
  }
  async delete(_m: EntityManager, id: number) {
    this.rows.splice(
      this.rows.findIndex((u) => u.id === id),
      1,
    );
  }
  async groupsOf(_m: EntityManager, userIds: number[]) {
    const byUser = new Map<number, number[]>();
    for (const [userId, groupId] of [...this.memberGroups].sort((a, b) => a[1] - b[1]))
      if (userIds.includes(userId)) byUser.set(userId, [...(byUser.get(userId) ?? []), groupId]);
    return byUser;
  }
  groupsOfUsers(userIds: number[]) {
    return this.groupsOf(MANAGER, userIds);
  }
  async setGroups(_m: EntityManager, userId: number, groupIds: number[]) {
    this.memberGroups.splice(0, this.memberGroups.length, ...this.memberGroups.filter(([u]) => u !== userId));
    for (const groupId of groupIds) this.memberGroups.push([userId, groupId]);
  }
  async addGroup(_m: EntityManager, userId: number, groupId: number) {
    this.memberGroups.push([userId, groupId]);
  }
}
