import { Module } from '@nestjs/common';
import { WindowsModule } from '../windows/windows.module';
import { ProxiesController } from './proxies.controller';
import { ProxiesService } from './proxies.service';

@Module({ imports: [WindowsModule], controllers: [ProxiesController], providers: [ProxiesService] })
export class ProxiesModule {}
