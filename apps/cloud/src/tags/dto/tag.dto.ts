import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { IsId, PageDto } from '../../common/id.decorators';
import { PlainName } from '@cos/server-common';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const COLOR = /^(#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?)?$/;

export class AddTagDto {
  @ApiProperty({ maxLength: 50 })
  @Transform(trim)
  @IsString()
  @Length(1, 50, { message: 'name must be 1 to 50 characters' })
  @PlainName()
  name: string;

  @ApiPropertyOptional({ example: '#3366ff' })
  @IsOptional()
  @IsString()
  @Matches(COLOR, { message: 'color must be a hex color such as #3366ff' })
  color?: string;
}

export class UpdateTagDto {
  @IsId()
  id: number;

  @ApiPropertyOptional({ maxLength: 50 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 50, { message: 'name must be 1 to 50 characters' })
  @PlainName()
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(COLOR, { message: 'color must be a hex color such as #3366ff' })
  color?: string;
}

export class DeleteTagDto {
  @IsId()
  id: number;
}

export class ListTagsDto extends PageDto {
  @ApiPropertyOptional({ maxLength: 50 })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  keyword?: string;

  @ApiPropertyOptional({
    description:
      "Also answer each tag's windowCount: the live windows (not the recycle bin's) that have it, of those the caller may see. Counted on each call, so only pages that show it ask.",
  })
  @IsOptional()
  @IsBoolean({ message: 'counts must be true or false' })
  counts?: boolean;
}
