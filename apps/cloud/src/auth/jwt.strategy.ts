import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { UnauthorizedError } from '@cos/contracts';
import { CloudConfig } from '../config/cloud-config';
import { AccessTokenPayload, AuthContext } from './auth-context';
import { AuthLoader } from './auth-loader';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: CloudConfig,
    private readonly loader: AuthLoader,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt hands the key straight to jsonwebtoken, which takes a KeyObject.
      secretOrKey: config.secrets.jwtKey as unknown as string,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  async validate(payload: AccessTokenPayload): Promise<AuthContext> {
    if (!Number.isInteger(payload.sub) || typeof payload.sid !== 'string') throw new UnauthorizedError('Token invalid');
    const auth = await this.loader.forSession(payload.sub, payload.sid);
    if (!auth) throw new UnauthorizedError('Session ended; log in again');
    return auth;
  }
}
