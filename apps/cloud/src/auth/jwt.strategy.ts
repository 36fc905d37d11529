import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { CloudConfig } from '../config/cloud-config';
import { AccessTokenPayload, AuthContext } from '../access/auth-context';
import { AuthLoader } from './auth-loader';
import { sessionCaller } from './verified-tokens';

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

  validate(payload: AccessTokenPayload): Promise<AuthContext> {
    return sessionCaller(this.loader, payload);
  }
}
