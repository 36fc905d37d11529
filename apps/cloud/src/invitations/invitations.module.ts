import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { GroupsModule } from '../groups/groups.module';
import { TeamsModule } from '../teams/teams.module';
import { InvitationAcceptController, InvitationsController } from './invitations.controller';
import { InvitationStore } from './invitation-store';
import { InvitationsService } from './invitations.service';

/** Invitations to join a team by a link, so nobody types a new member's password for them. */
@Module({
  imports: [AuthModule, GroupsModule, TeamsModule],
  controllers: [InvitationsController, InvitationAcceptController],
  providers: [InvitationStore, InvitationsService],
})
export class InvitationsModule {}
