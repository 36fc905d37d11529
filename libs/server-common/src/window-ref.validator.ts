import { registerDecorator, ValidationArguments } from 'class-validator';
import { ID_ALIASES, parseWindowRef, UUID_ALIASES } from '@cos/contracts';

/** The problem found with an object's aliases, kept from the check to the message of the same validation. */
const problems = new WeakMap<object, string>();

/**
 * On a DTO carrying the seed's window aliases: they must name exactly one window, worded as
 * `parseWindowRef` words it, and the validation keeps that window as the DTO's `windowRef`, parsed
 * once at the edge for the services to take as it is. `windowRef` is no field of the body: one sent
 * is refused as any unknown field, and the kept one is not enumerable (a copy of the DTO or a walk
 * over its fields never sees it). Where `none` holds the call names no window: any alias is refused
 * as `<alias>: <reason>` and `windowRef` stays unset. Where `optional` holds the call may also name
 * no window (a body without any alias leaves `windowRef` unset), and one it names is checked as ever.
 * The rule is registered after the class's own fields, so their answers come first; a subclass's
 * fields come before all of its parent's.
 */
export function NamesOneWindow<T extends object>(options: WindowRefOptions<T> = {}): ClassDecorator {
  return (target) => {
    registerDecorator({
      name: 'namesOneWindow',
      target,
      propertyName: 'windowRef',
      validator: {
        validate(sent: unknown, { object }: ValidationArguments) {
          const problem = sent !== undefined ? 'property windowRef should not exist' : keep(object as T, options);
          if (problem) problems.set(object, problem);
          return problem === null;
        },
        defaultMessage: ({ object }: ValidationArguments) => problems.get(object) ?? 'the window reference is invalid',
      },
    });
  };
}

/** When a DTO names no window: never (the default), when `none` holds, or also when `optional` holds. */
export interface WindowRefOptions<T> {
  none?: { when: (dto: T) => boolean; reason: string };
  optional?: (dto: T) => boolean;
}

/** Checks `dto`'s aliases and keeps the window they name; the problem in words, or null. */
function keep<T extends object>(dto: T, { none, optional }: WindowRefOptions<T>): string | null {
  const aliases = dto as Record<string, unknown>;
  if (none?.when(dto)) {
    const named = [...ID_ALIASES, ...UUID_ALIASES].find((alias) => aliases[alias] !== undefined);
    return named ? `${named}: ${none.reason}` : null;
  }
  // An empty alias names nothing, as parseWindowRef reads it.
  const sent = (alias: string) => aliases[alias] !== undefined && aliases[alias] !== null && aliases[alias] !== '';
  if (optional?.(dto) && ![...ID_ALIASES, ...UUID_ALIASES].some(sent)) return null;
  const parsed = parseWindowRef(aliases);
  if ('problem' in parsed) return parsed.problem;
  Object.defineProperty(dto, 'windowRef', { value: parsed.ref, enumerable: false });
  return null;
}
