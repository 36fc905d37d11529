import { Module } from '@nestjs/common';
import { WindowsModule } from '../windows/windows.module';
import { ProxiesController } from './proxies.controller';
import { ProxiesService } from './proxies.service';
import { ProxyTargetPolicy } from './proxy-target-policy';

@Module({ imports: [WindowsModule], controllers: [ProxiesController], providers: [ProxiesService, ProxyTargetPolicy] })
export class ProxiesModule {}
