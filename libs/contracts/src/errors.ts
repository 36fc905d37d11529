import { ResultCode } from './envelope';

/**
 * Errors that carry their own envelope code. Services throw these; the global exception filter
 * of each app turns them into `{code,msg,data}` answers.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ResultCode,
    message: string,
    /** What the answer's `data` carries beside the message (a failed step's results, say). */
    readonly data: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidParamError extends DomainError {
  constructor(message: string) {
    super(ResultCode.InvalidParam, message);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message = 'Not logged in or token invalid') {
    super(ResultCode.Unauthorized, message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super(ResultCode.Forbidden, message);
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string) {
    super(ResultCode.NotFound, message);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string) {
    super(ResultCode.Conflict, message);
  }
}

export class WindowOpenElsewhereError extends ConflictError {
  constructor(uuid: string) {
    super(`Window ${uuid} is open on another device`);
  }
}

/** A close reported by a device the window was not launched on (never, or another device launched it since). */
export class WindowNotOpenHereError extends ConflictError {
  constructor(uuid: string) {
    super(`Window ${uuid} is not open on this device`);
  }
}

export class WindowIsOpenError extends ConflictError {
  constructor(ids: readonly number[]) {
    super(`Window${ids.length > 1 ? 's' : ''} ${ids.join(', ')} ${ids.length > 1 ? 'are' : 'is'} open; close before deleting`);
  }
}

/** Something asked of a page failed: a script threw, a selector or URL never came, a navigation failed or ran out of time. */
export class PageActionError extends DomainError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super(ResultCode.ActionFailed, message, data);
  }
}

/** No space left where something had to be written; `msg` says what was kept, `data` what else the step answers. */
export class InsufficientStorageError extends DomainError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super(ResultCode.InsufficientStorage, message, data);
  }
}

/** Over a cap on open `GET /events` streams (the cloud's per session, user and team; the agent's in all). */
export class TooManyStreamsError extends DomainError {
  constructor(over: string, limit: number) {
    super(ResultCode.Throttled, `Too many event streams for this ${over} (at most ${limit}); close one first`, { limit });
  }
}
