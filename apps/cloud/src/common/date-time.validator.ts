import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, registerDecorator, ValidationArguments } from 'class-validator';

/**
 * A full ISO 8601 date-time with its offset: `2024-05-01T12:00:00Z`, `2024-05-01T12:00+02:00`,
 * seconds and up to six fraction digits optional. An allowlist, because what the broader ISO
 * forms allow ("2020", "2020-01", week dates "2020-W01-1") is not what PostgreSQL parses, and a
 * value it refuses would fail the query instead of the request.
 */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

export function isIsoDateTime(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const match = DATE_TIME.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second = 0, offsetHours = 0, offsetMinutes = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part))) as number[];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    year >= 1 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 14 &&
    offsetMinutes <= 59
  );
}

export function IsIsoDateTime(description: string) {
  return applyDecorators(
    IsOptional(),
    ApiPropertyOptional({ type: 'string', format: 'date-time', example: '2024-05-01T12:00:00Z', description }),
    (target: object, propertyName: string | symbol) =>
      registerDecorator({
        name: 'isIsoDateTime',
        target: target.constructor,
        propertyName: propertyName as string,
        validator: {
          validate: (value: unknown) => isIsoDateTime(value),
          defaultMessage: (args: ValidationArguments) =>
            `${args.property} must be a full ISO 8601 date-time with an offset, like 2024-05-01T12:00:00Z`,
        },
      }),
  );
}
