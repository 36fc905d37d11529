import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ok } from '@cos/contracts';
import { Public } from '@cos/server-common';
import { AuthContext } from '../access/auth-context';
import { DocumentSignedIn, CurrentAuth } from '../access/auth.decorators';
import { AuthService } from './auth.service';
import { CreateApiTokenDto, LoginDto, LogoutDto, RefreshDto, RegisterDto, RevokeApiTokenDto } from './dto/auth.dto';
import { clientAddress, LoginThrottlerGuard } from './login-throttler.guard';
import { NotCrossSiteGuard } from './request-origin';
import { NoFields } from '../common/no-fields.pipe';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @UseGuards(NotCrossSiteGuard, LoginThrottlerGuard)
  @Post('register')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a user and the team they own; returns tokens like login' })
  async register(@Body() dto: RegisterDto, @Req() req: Request) {
    return ok(await this.auth.register(dto, clientAddress(req)));
  }

  @Public()
  @UseGuards(NotCrossSiteGuard, LoginThrottlerGuard)
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Email and password for an access token (JWT) and a refresh token' })
  async login(@Body() dto: LoginDto, @Req() req: Request) {
    return ok(await this.auth.login(dto, clientAddress(req)));
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rotate a refresh token: a new pair, the old refresh token no longer works' })
  async refresh(@Body() dto: RefreshDto) {
    return ok(await this.auth.refresh(dto.refreshToken));
  }

  @Post('logout')
  @HttpCode(200)
  @DocumentSignedIn(
    "End the caller's credential: a login's session (or another session of the caller's, given its current refreshToken) stops working; an API token is revoked with the tokens it created (a refreshToken is refused)",
  )
  async logout(@CurrentAuth() auth: AuthContext, @Body() dto: LogoutDto) {
    await this.auth.logout(auth, dto.refreshToken);
    return ok();
  }

  @Post('me')
  @HttpCode(200)
  @DocumentSignedIn('The caller, their team and effective permissions')
  async me(@CurrentAuth() auth: AuthContext, @Body(NoFields) _body: unknown) {
    return ok(await this.auth.me(auth));
  }

  @Post('token/create')
  @HttpCode(200)
  @DocumentSignedIn('Create a personal API token; the token is shown only in this answer')
  async createToken(@CurrentAuth() auth: AuthContext, @Body() dto: CreateApiTokenDto) {
    return ok(await this.auth.createApiToken(auth, dto));
  }

  @Post('token/list')
  @HttpCode(200)
  @DocumentSignedIn(
    "The caller's API tokens, without their secrets: a login's are all of its user's, an API token's itself and those it created",
  )
  async listTokens(@CurrentAuth() auth: AuthContext, @Body(NoFields) _body: unknown) {
    return ok(await this.auth.listApiTokens(auth));
  }

  @Post('token/revoke')
  @HttpCode(200)
  @DocumentSignedIn("Revoke one of the caller's API tokens (one it lists) and the tokens created from it; any other is 404")
  async revokeToken(@CurrentAuth() auth: AuthContext, @Body() dto: RevokeApiTokenDto) {
    await this.auth.revokeApiToken(auth, dto.id);
    return ok();
  }
}
