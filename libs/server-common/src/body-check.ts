/** Deeper JSON than any parameter set needs; far below what would exhaust a validator's stack. */
export const MAX_BODY_DEPTH = 32;

/** Keys that reach prototypes when copied onto objects; no parameter set has them. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The first problem of a parsed JSON body that no validator may see: nesting deeper than
 * `MAX_BODY_DEPTH`, NUL characters (PostgreSQL stores none) and unpaired surrogates (not
 * Unicode) in any string or key, and prototype keys. Names the field's path; null when clean.
 */
export function bodyProblem(body: unknown): string | null {
  return problemAt(body, '', 0);
}

function problemAt(value: unknown, path: string, depth: number): string | null {
  if (typeof value === 'string') return stringProblem(value, path || 'body');
  if (typeof value !== 'object' || value === null) return null;
  if (depth >= MAX_BODY_DEPTH) return `${path || 'body'} is nested deeper than ${MAX_BODY_DEPTH} levels`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = problemAt(value[i], `${path}[${i}]`, depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    const field = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) return `property ${field} should not exist`;
    const keyProblem = stringProblem(key, `${path ? `${path} key` : 'key'} ${JSON.stringify(key)}`);
    if (keyProblem) return keyProblem;
    const problem = problemAt((value as Record<string, unknown>)[key], field, depth + 1);
    if (problem) return problem;
  }
  return null;
}

function stringProblem(text: string, field: string): string | null {
  if (text.includes('\u0000')) return `${field} must not contain NUL characters`;
  if (!text.isWellFormed()) return `${field} contains an unpaired surrogate (not valid Unicode)`;
  return null;
}
