import { Module } from '@nestjs/common';
import { WindowsModule } from '../windows/windows.module';
import { VariableStore } from './variable-store';
import { VariablesController } from './variables.controller';
import { VariablesService } from './variables.service';

/** Values a team keeps for its task runs, team-wide and per window. */
@Module({
  imports: [WindowsModule],
  controllers: [VariablesController],
  providers: [VariableStore, VariablesService],
  exports: [VariablesService],
})
export class VariablesModule {}
