/** Every API answer, cloud and agent alike: `{ code, msg, data }`, `data` never null. */
export interface ApiEnvelope<T = Record<string, unknown>> {
  code: number;
  msg: string;
  data: T;
}

export const ResultCode = {
  Ok: 0,
  InvalidParam: 211,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  /** A step in a running window's page failed (script error, timeout, missing element); `data` names it. */
  ActionFailed: 422,
  Throttled: 429,
  Internal: 500,
  /** A service this one depends on (the cloud, for the agent) does not answer; nothing was done, try again. */
  Unavailable: 503,
  /** The disk is full: what was asked happened as far as it could (`msg` says what was kept and what was not). */
  InsufficientStorage: 507,
} as const;
export type ResultCode = (typeof ResultCode)[keyof typeof ResultCode];

export function ok<T extends object>(data?: T, msg = 'success'): ApiEnvelope<T> {
  return { code: ResultCode.Ok, msg, data: (data ?? {}) as T };
}

export function failure<T extends object = Record<string, never>>(code: ResultCode, msg: string, data?: T): ApiEnvelope<T> {
  return { code, msg, data: (data ?? {}) as T };
}

export function isEnvelope(value: unknown): value is ApiEnvelope<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ApiEnvelope).code === 'number' &&
    typeof (value as ApiEnvelope).msg === 'string' &&
    'data' in value
  );
}
