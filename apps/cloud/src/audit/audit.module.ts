import { Global, Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditLog } from './audit-log';
import { AuditService } from './audit.service';
import { EventHub } from './event-hub';

/** The audit trail (written by every service in its own transaction) and the live event stream. */
@Global()
@Module({ controllers: [AuditController], providers: [AuditLog, AuditService, EventHub], exports: [AuditLog] })
export class AuditModule {}
