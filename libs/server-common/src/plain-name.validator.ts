import { registerDecorator, ValidationArguments } from 'class-validator';
import { hiddenCharacterIn } from '@cos/contracts';

/**
 * On a name teammates see: refused when it holds a control character, a character drawn as nothing
 * or a bidirectional-text control (`hiddenCharacterIn`), which would let it read as another name. Anything not a string is
 * left to the field's other rules.
 */
export function PlainName(): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'plainName',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || hiddenCharacterIn(value) === null,
        defaultMessage: ({ property, value }: ValidationArguments) =>
          `${property} must not contain control, invisible or bidirectional-text characters (found ${hiddenCharacterIn(String(value))}): they make a name read as another`,
      },
    });
  };
}
