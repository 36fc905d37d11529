import { Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { createValidationPipe, EnvelopeExceptionFilter } from '@cos/server-common';
import { AuthModule } from './auth/auth.module';
import { AuditModule } from './audit/audit.module';
import { ClusterModule } from './cluster/cluster.module';
import { ConfigModule } from './config/config.module';
import { ConsoleModule } from './console/console.module';
import { CryptoModule } from './crypto/crypto.module';
import { CookiesModule } from './cookies/cookies.module';
import { ProfilesModule } from './profiles/profiles.module';
import { DatabaseModule } from './database/database.module';
import { EventsModule } from './events/events.module';
import { GroupsModule } from './groups/groups.module';
import { HealthController } from './health/health.controller';
import { InvitationsModule } from './invitations/invitations.module';
import { LaunchModule } from './launch/launch.module';
import { ProxiesModule } from './proxies/proxies.module';
import { RecycleModule } from './recycle/recycle.module';
import { RunsModule } from './runs/runs.module';
import { SchedulesModule } from './schedules/schedules.module';
import { JobsModule } from './jobs/jobs.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { TagsModule } from './tags/tags.module';
import { TasksModule } from './tasks/tasks.module';
import { VariablesModule } from './variables/variables.module';
import { ImportsModule } from './imports/imports.module';
import { TeamsModule } from './teams/teams.module';
import { WindowsModule } from './windows/windows.module';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule,
    ClusterModule,
    CryptoModule,
    AuditModule,
    EventsModule,
    AuthModule,
    TeamsModule,
    InvitationsModule,
    GroupsModule,
    TagsModule,
    WindowsModule,
    LaunchModule,
    RecycleModule,
    CookiesModule,
    ProfilesModule,
    ConsoleModule,
    ProxiesModule,
    JobsModule,
    WebhooksModule,
    TasksModule,
    VariablesModule,
    ImportsModule,
    RunsModule,
    SchedulesModule,
  ],
  controllers: [HealthController],
  providers: [
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: EnvelopeExceptionFilter },
  ],
})
export class AppModule {}
