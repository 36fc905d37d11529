import { Body, Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ok } from '@cos/contracts';
import { Public } from '@cos/server-common';
import { AuthContext } from '../access/auth-context';
import { CurrentAuth, RequirePermission } from '../access/auth.decorators';
import { clientAddress, LoginThrottlerGuard } from '../auth/login-throttler.guard';
import { NoFields } from '../common/no-fields.pipe';
import { ConsoleOriginGuard, NotCrossSiteGuard } from '../auth/request-origin';
import { setConsoleCookie } from '../console/console-cookie';
import { AcceptInvitationDto, CreateInvitationDto, InvitationTokenDto, RevokeInvitationDto } from './dto/invitation.dto';
import { InvitationsService } from './invitations.service';

@ApiTags('team')
@Controller('team/invite')
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Post('create')
  @HttpCode(200)
  @RequirePermission(
    'team:manage',
    "Invite someone by email with a role, permissions and scope (the rules of member/add); the link's token is shown only in this answer",
  )
  async create(@CurrentAuth() auth: AuthContext, @Body() dto: CreateInvitationDto) {
    return ok(await this.invitations.create(auth, dto));
  }

  @Post('list')
  @HttpCode(200)
  @RequirePermission('team:manage', "The team's invitations: pending, accepted, expired and revoked, with who sent them")
  async list(@CurrentAuth() auth: AuthContext, @Body(NoFields) _body: unknown) {
    return ok(await this.invitations.list(auth));
  }

  @Post('revoke')
  @HttpCode(200)
  @RequirePermission('team:manage', 'Revoke a pending invitation: its link stops working')
  async revoke(@CurrentAuth() auth: AuthContext, @Body() dto: RevokeInvitationDto) {
    await this.invitations.revoke(auth, dto.id);
    return ok();
  }
}

/** The invitation link's side: public, throttled like login, and only from the console (it starts a console session). */
@ApiTags('auth')
@Controller('auth/invite')
export class InvitationAcceptController {
  constructor(private readonly invitations: InvitationsService) {}

  @Public()
  @UseGuards(NotCrossSiteGuard, LoginThrottlerGuard)
  @Post('check')
  @HttpCode(200)
  @ApiOperation({ summary: 'What an invitation link invites to (email, team, role, expiry); a dead link is one answer whatever killed it' })
  async check(@Body() dto: InvitationTokenDto) {
    return ok(await this.invitations.check(dto.token));
  }

  @Public()
  @UseGuards(ConsoleOriginGuard, LoginThrottlerGuard)
  @Post('accept')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Accept an invitation with a password: the member is created with the invited access and signed in as /auth/console/login does',
  })
  async accept(@Body() dto: AcceptInvitationDto, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    const { refreshToken, ...answer } = await this.invitations.accept(dto, clientAddress(request));
    setConsoleCookie(request, response, refreshToken);
    return ok(answer);
  }
}
