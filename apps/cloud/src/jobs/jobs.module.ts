import { Global, Module } from '@nestjs/common';
import { JobEngine } from './job-engine';

/** The job engine (pg-boss over the cloud's own connections). */
@Global()
@Module({ providers: [JobEngine], exports: [JobEngine] })
export class JobsModule {}
