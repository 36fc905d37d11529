import { QueryFailedError } from 'typeorm';
import { ConflictError } from '@cos/contracts';

/** Escapes `%`, `_` and `\` so user text matches literally inside an ILIKE pattern. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** For `.catch()`: a unique-constraint violation becomes a 409 with this message. */
export function rethrowDuplicate(message: string) {
  return (error: unknown): never => {
    if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') {
      throw new ConflictError(message);
    }
    throw error;
  };
}

/**
 * An UPDATE or DELETE … RETURNING as a statement whose answer is its rows: TypeORM answers the
 * bare statement as `[rows, count]` on PostgreSQL. Tag the statement: changed`UPDATE … RETURNING …`.
 */
export function changed(strings: TemplateStringsArray, ...values: unknown[]): string {
  const statement = strings.reduce((text, part, i) => text + part + (i < values.length ? String(values[i]) : ''), '');
  return `WITH changed AS (${statement}) SELECT * FROM changed`;
}
