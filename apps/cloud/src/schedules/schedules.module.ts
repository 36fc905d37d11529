import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { RunsModule } from '../runs/runs.module';
import { ScheduleStore } from './schedule-store';
import { SchedulesController } from './schedules.controller';
import { SchedulesService } from './schedules.service';

/** Tasks run on a cron pattern, once per tick across every instance. */
@Module({
  imports: [AuthModule, RunsModule],
  controllers: [SchedulesController],
  providers: [ScheduleStore, SchedulesService],
})
export class SchedulesModule {}
