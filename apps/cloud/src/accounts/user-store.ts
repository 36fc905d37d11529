import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, DeepPartial, EntityManager, In } from 'typeorm';
import { MemberGroupEntity } from './member-group.entity';
import { rethrowDuplicate } from '../common/sql';
import { UserEntity } from './user.entity';

/**
 * Reads and writes of `users` and of `member_groups` (the groups a member is limited to, part of
 * their access). Methods that take an `EntityManager` run in the caller's transaction and take
 * the locks they say; the others read on their own. Every change here moves the user's
 * `auth_version` through the tables' triggers.
 */
@Injectable()
export class UserStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Emails are unique whatever their case. */
  findByEmail(email: string): Promise<UserEntity | null> {
    return this.db.getRepository(UserEntity).createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email }).getOne();
  }

  emailTaken(manager: EntityManager, email: string): Promise<boolean> {
    return manager.getRepository(UserEntity).createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email }).getExists();
  }

  get(id: number): Promise<UserEntity> {
    return this.db.getRepository(UserEntity).findOneByOrFail({ id });
  }

  ofTeam(teamId: number): Promise<UserEntity[]> {
    return this.db.getRepository(UserEntity).find({ where: { teamId }, order: { id: 'ASC' } });
  }

  /** A member of the team, its row locked for update; null when the team has no such member. */
  lockMember(manager: EntityManager, teamId: number, userId: number): Promise<UserEntity | null> {
    return manager
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .setLock('pessimistic_write')
      .where('u.id = :userId AND u.team_id = :teamId', { userId, teamId })
      .getOne();
  }

  /** The team's owners, their rows locked for update. */
  lockOwners(manager: EntityManager, teamId: number): Promise<UserEntity[]> {
    return manager
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .setLock('pessimistic_write')
      .where('u.team_id = :teamId AND u.role = :role', { teamId, role: 'owner' })
      .getMany();
  }

  /**
   * A new account. Its email was checked free first, but another team's sign-up, member or
   * invitation may take it between that check and this insert (no lock spans teams): the unique
   * index decides, and the loser is told as the check would have told it.
   */
  insert(manager: EntityManager, fields: DeepPartial<UserEntity>): Promise<UserEntity> {
    return manager.save(manager.create(UserEntity, fields)).catch(rethrowDuplicate('Email already registered'));
  }

  save(manager: EntityManager, user: UserEntity): Promise<UserEntity> {
    return manager.save(user);
  }

  async delete(manager: EntityManager, id: number): Promise<void> {
    await manager.delete(UserEntity, { id });
  }

  // The groups a member is limited to.

  /** Each user's groups in id order; users without any are left out. */
  async groupsOf(manager: EntityManager, userIds: number[]): Promise<Map<number, number[]>> {
    const rows = userIds.length ? await manager.find(MemberGroupEntity, { where: { userId: In(userIds) }, order: { groupId: 'ASC' } }) : [];
    const byUser = new Map<number, number[]>();
    for (const row of rows) byUser.set(row.userId, [...(byUser.get(row.userId) ?? []), row.groupId]);
    return byUser;
  }

  /** Outside a transaction. */
  groupsOfUsers(userIds: number[]): Promise<Map<number, number[]>> {
    return this.groupsOf(this.db.manager, userIds);
  }

  async setGroups(manager: EntityManager, userId: number, groupIds: number[]): Promise<void> {
    await manager.delete(MemberGroupEntity, { userId });
    if (groupIds.length > 0)
      await manager.insert(
        MemberGroupEntity,
        groupIds.map((groupId) => ({ userId, groupId })),
      );
  }

  async addGroup(manager: EntityManager, userId: number, groupId: number): Promise<void> {
    await manager.insert(MemberGroupEntity, { userId, groupId });
  }
}
