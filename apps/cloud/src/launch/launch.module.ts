import { Module } from '@nestjs/common';
import { ProxiesModule } from '../proxies/proxies.module';
import { WindowsModule } from '../windows/windows.module';
import { LaunchController } from './launch.controller';
import { LaunchService } from './launch.service';

/** A device opening and closing a window: the lease, what the open needs, what the close keeps. */
@Module({ imports: [WindowsModule, ProxiesModule], controllers: [LaunchController], providers: [LaunchService] })
export class LaunchModule {}
