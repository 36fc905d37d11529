import { Global, Module } from '@nestjs/common';
import { ClusterBus } from './cluster-bus';

/** What keeps several cloud instances on one PostgreSQL in step. */
@Global()
@Module({ providers: [ClusterBus], exports: [ClusterBus] })
export class ClusterModule {}
