import { Global, Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditLog } from './audit-log';
import { AuditService } from './audit.service';
import { AuditStore } from './audit-store';
import { SecretReads } from './secret-reads';

/** The audit trail, written by every service in its own transaction, and its list. */
@Global()
@Module({
  controllers: [AuditController],
  providers: [AuditLog, AuditStore, AuditService, SecretReads],
  exports: [AuditLog, SecretReads],
})
export class AuditModule {}
