import { Global, Module } from '@nestjs/common';
import { SecretBox } from './secret-box';

/** Sealing of secrets kept at rest, for every feature that stores one. */
@Global()
@Module({ providers: [SecretBox], exports: [SecretBox] })
export class CryptoModule {}
