import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { registerDecorator, ValidationArguments } from 'class-validator';
import { LeftOutOr } from './left-out.validator';

/**
 * A JSON object checked by a pure `problem` function (shared with the agent). Keys the function
 * does not know are kept: whitelisting applies to DTO classes, not to these free-form objects.
 */
export function IsCheckedObject(problem: (value: unknown, path: string) => string | null, description: string) {
  return applyDecorators(
    // Left out keeps what is stored; null is no object and is refused by name.
    LeftOutOr(),
    ApiPropertyOptional({ type: 'object', additionalProperties: true, description }),
    (target: object, propertyName: string | symbol) =>
      registerDecorator({
        name: 'isCheckedObject',
        target: target.constructor,
        propertyName: propertyName as string,
        validator: {
          validate: (value: unknown, args: ValidationArguments) => problem(value, args.property) === null,
          defaultMessage: (args: ValidationArguments) => problem(args.value, args.property) ?? 'invalid',
        },
      }),
  );
}
