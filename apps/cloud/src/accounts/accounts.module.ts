import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MemberGroupEntity } from './member-group.entity';
import { TeamEntity } from './team.entity';
import { TeamStore } from './team-store';
import { UserEntity } from './user.entity';
import { UserStore } from './user-store';

/** Teams, their users and the groups a member is limited to: the tables sign-in and team management share. */
@Module({
  imports: [TypeOrmModule.forFeature([TeamEntity, UserEntity, MemberGroupEntity])],
  providers: [UserStore, TeamStore],
  exports: [UserStore, TeamStore],
})
export class AccountsModule {}
