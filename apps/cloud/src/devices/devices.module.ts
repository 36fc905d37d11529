import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { WindowsModule } from '../windows/windows.module';
import { CommandStore } from './command-store';
import { DeviceCommands } from './device-commands';
import { DeviceLines } from './device-lines';
import { DevicePolls } from './device-polls';
import { DevicePresence } from './device-presence';
import { DeviceStore } from './device-store';
import { DevicesController } from './devices.controller';

/** Agents' lines to the cloud: which devices are online, and commands sent down to them. */
@Module({
  imports: [AuthModule, WindowsModule],
  controllers: [DevicesController],
  providers: [DeviceStore, CommandStore, DevicePresence, DeviceLines, DevicePolls, DeviceCommands],
  exports: [DeviceLines, DeviceCommands, CommandStore],
})
export class DevicesModule {}
