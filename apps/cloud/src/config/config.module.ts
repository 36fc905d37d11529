import { Global, Module } from '@nestjs/common';
import { CloudConfig, loadCloudConfig } from './cloud-config';

@Global()
@Module({
  providers: [{ provide: CloudConfig, useFactory: () => loadCloudConfig() }],
  exports: [CloudConfig],
})
export class ConfigModule {}
