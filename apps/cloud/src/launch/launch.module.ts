import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module';
import { ProxiesModule } from '../proxies/proxies.module';
import { WindowsModule } from '../windows/windows.module';
import { LaunchController } from './launch.controller';
import { LaunchService } from './launch.service';

/** A device opening and closing a window: the lease, what the open needs, what the close keeps; a member asking a device to. */
@Module({ imports: [WindowsModule, ProxiesModule, DevicesModule], controllers: [LaunchController], providers: [LaunchService] })
export class LaunchModule {}
