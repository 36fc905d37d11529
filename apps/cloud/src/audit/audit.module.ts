import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { AuditController } from './audit.controller';
import { AuditLog } from './audit-log';
import { AuditService } from './audit.service';
import { EventHub } from './event-hub';
import { SecretReads } from './secret-reads';

/** The audit trail (written by every service in its own transaction) and the live event stream. */
@Global()
@Module({
  imports: [AuthModule],
  controllers: [AuditController],
  providers: [AuditLog, AuditService, EventHub, SecretReads],
  exports: [AuditLog, SecretReads],
})
export class AuditModule {}
