import { Body, Controller, Get, HttpCode, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { InvalidParamError, ok } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { CurrentAuth, RequirePermission } from '../access/auth.decorators';
import { WindowRefDto } from '../windows/dto/window.dto';
import { BlobQueryDto, CommitProfileDto, ManifestDto, MissingBlobsDto, RestoreProfileDto } from './dto/profile.dto';
import { ProfileVersionsService } from './profile-versions.service';
import { NoFields } from '../common/no-fields.pipe';

@ApiTags('profiles')
@Controller('browser/profile')
export class ProfilesController {
  constructor(private readonly profiles: ProfileVersionsService) {}

  @Post('blobs/missing')
  @HttpCode(200)
  @RequirePermission(
    'browser:open',
    'Of the hashes a commit will reference, those not yet uploaded for this window (nor in one of its kept versions)',
  )
  async missing(@CurrentAuth() auth: AuthContext, @Body() dto: MissingBlobsDto) {
    return ok(await this.profiles.missing(auth, dto));
  }

  @Put('blob')
  @HttpCode(200)
  @ApiConsumes('application/octet-stream')
  @RequirePermission(
    'browser:open',
    'Upload one blob for the window (application/octet-stream, optionally Content-Encoding: gzip), checked against its sha256 as it arrives',
  )
  async upload(@CurrentAuth() auth: AuthContext, @Query() query: BlobQueryDto, @Req() request: Request) {
    if (!String(request.headers['content-type'] ?? '').startsWith('application/octet-stream')) {
      throw new InvalidParamError('Send the blob as Content-Type: application/octet-stream');
    }
    const encoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity' && encoding !== 'gzip') throw new InvalidParamError('Content-Encoding of a blob may be gzip or none');
    // The hash, the size and the bounds are those of the blob itself, after decompression.
    return ok(await this.profiles.upload(auth, query, request, encoding === 'gzip'));
  }

  @Get('blob')
  @RequirePermission('browser:open', "Download a blob of one of the window's profile versions; downloads are audited")
  async download(@CurrentAuth() auth: AuthContext, @Query() query: BlobQueryDto, @Res() response: Response) {
    const blob = await this.profiles.download(auth, query);
    response.status(200);
    response.setHeader('Content-Type', 'application/octet-stream');
    response.setHeader('Content-Length', String(blob.size));
    response.setHeader('X-Content-Sha256', query.sha256);
    // A store that fails half-way leaves the body short: the receiver's hash check refuses it.
    await pipeline(blob.stream, response).catch(() => response.destroy());
  }

  @Post('commit')
  @HttpCode(200)
  @RequirePermission('browser:open', 'Make a new current version from uploaded blobs, if baseVersion is still current (else 409)')
  async commit(@CurrentAuth() auth: AuthContext, @Body() dto: CommitProfileDto) {
    return ok(await this.profiles.commit(auth, dto));
  }

  @Post('versions')
  @HttpCode(200)
  @RequirePermission(
    'browser:list',
    "A window's kept profile versions, newest first, and the current one; each names its device (deviceName: the hostname the device registered with, null if unknown)",
  )
  async versions(@CurrentAuth() auth: AuthContext, @Body() dto: WindowRefDto) {
    return ok(await this.profiles.versions(auth, dto.windowRef));
  }

  @Post('manifest')
  @HttpCode(200)
  @RequirePermission('browser:open', "A version's files (path, size, sha256); the current one when no version is named")
  async manifest(@CurrentAuth() auth: AuthContext, @Body() dto: ManifestDto) {
    return ok(await this.profiles.manifest(auth, dto));
  }

  @Post('restore')
  @HttpCode(200)
  @RequirePermission('browser:update:single', 'Make an old version current again, as a new version (nothing is lost)')
  async restore(@CurrentAuth() auth: AuthContext, @Body() dto: RestoreProfileDto) {
    return ok(await this.profiles.restore(auth, dto));
  }

  @Post('usage')
  @HttpCode(200)
  @RequirePermission('team:manage', "What the team's roaming profiles store: blobs, bytes, versions, windows")
  async usage(@CurrentAuth() auth: AuthContext, @Body(NoFields) _body: unknown) {
    return ok(await this.profiles.usage(auth));
  }
}
