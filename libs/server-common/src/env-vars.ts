import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

/** `@Transform(toInt)`: a variable written as a whole number becomes one; anything else is left for the validators to name. */
export const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value);

/** `@Transform(toBool)`: true/1 and false/0; anything else is left for the validators to name. */
export const toBool = ({ value }: { value: unknown }) =>
  value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;

/**
 * The variables of `source` named in `known` (set and not empty) as an `Env`, validated; each
 * problem is one line naming the variable, the value given and what is wrong with it.
 */
export function readEnv<Env extends object>(
  Env: new () => Env,
  source: NodeJS.ProcessEnv,
  known: string[] = Object.keys(new Env()),
): { env: Env; problems: string[] } {
  const picked = Object.fromEntries(
    Object.entries(source).filter(([key, value]) => known.includes(key) && value !== undefined && value !== ''),
  );
  const env = plainToInstance(Env, picked);
  const problems = validateSync(env, { whitelist: false }).map(
    (e) => `  ${e.property}=${JSON.stringify(source[e.property])}: ${Object.values(e.constraints ?? {}).join('; ')}`,
  );
  return { env, problems };
}
