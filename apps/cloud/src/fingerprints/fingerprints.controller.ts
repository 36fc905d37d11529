import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { claimedOs, ok } from '@cos/contracts';
import { RequirePermission } from '../access/auth.decorators';
import { RandomFingerprintDto } from './dto/random-fingerprint.dto';
import { IdentityGenerator } from './identity-generator';

@ApiTags('browser')
@Controller('browser')
export class FingerprintsController {
  constructor(private readonly generator: IdentityGenerator) {}

  @Post('fingerprint/random')
  @HttpCode(200)
  @RequirePermission(
    'browser:create:single',
    'A coherent Firefox fingerprint drawn from real-world statistics, and what a page will read from it',
  )
  random(@Body() dto: RandomFingerprintDto) {
    const browserFingerPrint = this.generator.random(dto);
    return ok({ browserFingerPrint, pageView: this.generator.pageView(browserFingerPrint, claimedOs(browserFingerPrint) ?? 'linux') });
  }
}
