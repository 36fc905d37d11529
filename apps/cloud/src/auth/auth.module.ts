import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccountsModule } from '../accounts/accounts.module';
import { CloudConfig } from '../config/cloud-config';
import { AccountThrottle } from './account-throttle';
import { ApiTokenEntity } from './api-token.entity';
import { ApiTokenStore } from './api-token-store';
import { AuthLoader } from './auth-loader';
import { BearerCaller } from './bearer-caller';
import { AuthController } from './auth.controller';
import { AuthenticationGuard, PermissionGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { DatabaseThrottlerStorage } from './database-throttler.storage';
import { JwtStrategy } from './jwt.strategy';
import { acrossRoutes, byAddress, byAddressAndEmail } from './login-throttler.guard';
import { SessionEntity } from './session.entity';
import { SessionStore } from './session-store';

@Module({
  imports: [
    AccountsModule,
    TypeOrmModule.forFeature([SessionEntity, ApiTokenEntity]),
    PassportModule,
    JwtModule.registerAsync({
      inject: [CloudConfig],
      useFactory: (config: CloudConfig) => ({ secret: config.secrets.jwtKey as unknown as string }),
    }),
    ThrottlerModule.forRootAsync({
      inject: [CloudConfig, DataSource],
      useFactory: (config: CloudConfig, db: DataSource) => {
        const ttl = config.env.LOGIN_THROTTLE_TTL_SECONDS * 1000;
        return {
          throttlers: [
            { name: 'login', ttl, limit: config.env.LOGIN_THROTTLE_LIMIT, getTracker: byAddressAndEmail },
            { name: 'address', ttl, limit: config.env.LOGIN_ADDRESS_THROTTLE_LIMIT, getTracker: byAddress, generateKey: acrossRoutes },
          ],
          // Counted in the database: every cloud instance sees the same attempts.
          storage: new DatabaseThrottlerStorage(db),
        };
      },
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    AuthLoader,
    BearerCaller,
    AccountThrottle,
    SessionStore,
    ApiTokenStore,
    JwtStrategy,
    { provide: APP_GUARD, useClass: AuthenticationGuard },
    { provide: APP_GUARD, useClass: PermissionGuard },
  ],
  exports: [AccountsModule, AuthService, AuthLoader, BearerCaller],
})
export class AuthModule {}
