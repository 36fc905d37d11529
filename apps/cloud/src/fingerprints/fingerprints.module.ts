import { Module } from '@nestjs/common';
import { FingerprintsController } from './fingerprints.controller';
import { IdentityGenerator } from './identity-generator';

@Module({
  controllers: [FingerprintsController],
  providers: [IdentityGenerator],
  exports: [IdentityGenerator],
})
export class FingerprintsModule {}
