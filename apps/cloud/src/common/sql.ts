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
