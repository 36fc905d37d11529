import { Module } from '@nestjs/common';
import { TaskStore } from './task-store';
import { TasksController } from './tasks.controller';
import { TasksService } from './tasks.service';

/** Saved, versioned step lists a team runs on its windows. */
@Module({
  controllers: [TasksController],
  providers: [TaskStore, TasksService],
  exports: [TasksService],
})
export class TasksModule {}
