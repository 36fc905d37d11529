import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module';
import { TasksModule } from '../tasks/tasks.module';
import { VariablesModule } from '../variables/variables.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { WindowsModule } from '../windows/windows.module';
import { createBlobStore } from '../profiles/profiles.module';
import { CloudConfig } from '../config/cloud-config';
import { RunDispatcher } from './run-dispatcher';
import { RUN_SHOT_STORE, RunShots } from './run-shots';
import { RunShotStore } from './run-shot-store';
import { RunResults } from './run-results';
import { RunStore } from './run-store';
import { RunTargets } from './run-targets';
import { RunsController } from './runs.controller';
import { RunsService } from './runs.service';

/** Runs of tasks over windows, sent to devices as run commands and recorded window by window. */
@Module({
  imports: [DevicesModule, TasksModule, VariablesModule, WindowsModule, WebhooksModule],
  controllers: [RunsController],
  providers: [
    RunStore,
    RunDispatcher,
    RunResults,
    RunsService,
    RunTargets,
    RunShotStore,
    RunShots,
    { provide: RUN_SHOT_STORE, inject: [CloudConfig], useFactory: (config: CloudConfig) => createBlobStore(config, 'run-shots') },
  ],
  exports: [RunsService],
})
export class RunsModule {}
