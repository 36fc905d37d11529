import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, Validate, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';
import { isValidTimezone, OS_FAMILIES } from '@cos/contracts';
import type { OsFamily } from '@cos/contracts';
import { GENERATED_LOCALES } from '../identity-generator';

@ValidatorConstraint({ name: 'timezone' })
class IsTimezone implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && isValidTimezone(value);
  }
  defaultMessage(): string {
    return 'timezone must be an IANA time zone name such as "Europe/Berlin"';
  }
}

/** `/browser/fingerprint/random`: every field narrows the draw; none is required. */
export class RandomFingerprintDto {
  @ApiPropertyOptional({ enum: OS_FAMILIES })
  @IsOptional()
  @IsIn(OS_FAMILIES, { message: `os must be one of ${OS_FAMILIES.join(', ')}` })
  os?: OsFamily;

  @ApiPropertyOptional({ enum: Object.keys(GENERATED_LOCALES), description: 'First language; Intl and dates follow it' })
  @IsOptional()
  @IsIn(Object.keys(GENERATED_LOCALES), { message: `locale must be one of ${Object.keys(GENERATED_LOCALES).join(', ')}` })
  locale?: string;

  @ApiPropertyOptional({ example: 'Europe/Berlin', description: "IANA time zone; default: one of the locale's country" })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Validate(IsTimezone)
  timezone?: string;
}
