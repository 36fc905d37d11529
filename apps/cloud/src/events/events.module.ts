import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { EventHub } from './event-hub';
import { EventsController } from './events.controller';

/** The live event stream: each caller's audit events as they commit, re-checked against who the caller is now. */
@Module({ imports: [AuthModule], controllers: [EventsController], providers: [EventHub] })
export class EventsModule {}
