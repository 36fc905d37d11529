import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProxiesController } from './proxies.controller';
import { ProxiesService } from './proxies.service';
import { ProxyStore } from './proxy-store';
import { ProxyTargetPolicy } from './proxy-target-policy';
import { SavedProxyEntity } from './saved-proxy.entity';

@Module({
  imports: [TypeOrmModule.forFeature([SavedProxyEntity])],
  controllers: [ProxiesController],
  providers: [ProxyStore, ProxiesService, ProxyTargetPolicy],
  exports: [ProxyStore, ProxiesService],
})
export class ProxiesModule {}
