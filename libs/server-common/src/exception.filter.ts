import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { inspect } from 'node:util';
import { DomainError, failure, ResultCode } from '@cos/contracts';

const STATUS_TO_CODE: Record<number, ResultCode> = {
  [HttpStatus.BAD_REQUEST]: ResultCode.InvalidParam,
  [HttpStatus.PAYLOAD_TOO_LARGE]: ResultCode.InvalidParam,
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: ResultCode.InvalidParam,
  [HttpStatus.UNAUTHORIZED]: ResultCode.Unauthorized,
  [HttpStatus.FORBIDDEN]: ResultCode.Forbidden,
  [HttpStatus.NOT_FOUND]: ResultCode.NotFound,
  [HttpStatus.METHOD_NOT_ALLOWED]: ResultCode.NotFound,
  [HttpStatus.CONFLICT]: ResultCode.Conflict,
  [HttpStatus.TOO_MANY_REQUESTS]: ResultCode.Throttled,
};

function httpExceptionMessage(exception: HttpException, request: Request): string {
  const status = exception.getStatus() as HttpStatus;
  if (status === HttpStatus.NOT_FOUND && /^Cannot (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)/.test(exception.message)) {
    return `API not found: ${request.method} ${request.path}`;
  }
  if (status === HttpStatus.TOO_MANY_REQUESTS) return 'Too many requests, try again later';
  const response = exception.getResponse();
  if (typeof response === 'object' && response !== null && 'message' in response) {
    const message = response.message;
    if (Array.isArray(message)) return message.join('; ');
    if (typeof message === 'string') return message;
  }
  return exception.message;
}

/** SQLSTATEs and socket errors of a database that went away or will not take connections now. */
const UNAVAILABLE_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
  // too_many_connections: the server is full for now.
  '53300',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
]);

/** A failure of the database connection itself (not of the statement): a dependency, not a bug. */
export function isConnectionFailure(exception: unknown): boolean {
  // Socket errors come from Node's own realm: tested by shape, not by `instanceof Error`.
  if (typeof exception !== 'object' || exception === null) return false;
  const driver = (exception as { driverError?: { code?: unknown; message?: unknown } }).driverError;
  const code = (driver?.code ?? (exception as { code?: unknown }).code) as string | undefined;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  const message = (exception as { message?: unknown }).message;
  return (
    typeof message === 'string' &&
    // The last: a database closed to connections for now (ALLOW_CONNECTIONS false, SQLSTATE 55000 at connect).
    /Connection terminated|connection timeout|Client has encountered a connection error|is not currently accepting connections/i.test(
      message,
    )
  );
}

/**
 * SQLSTATEs of a transaction PostgreSQL ended because it met another at the same moment (a
 * deadlock, or a serialization failure): it was rolled back whole, and the same call sent again
 * will do it. Writers take their rows in one order so this stays rare; it is answered, not a 500.
 */
const CONCURRENCY_CODES = new Set(['40P01', '40001']);

export function isConcurrencyFailure(exception: unknown): boolean {
  if (typeof exception !== 'object' || exception === null) return false;
  const code = (exception as { driverError?: { code?: unknown } }).driverError?.code;
  return typeof code === 'string' && CONCURRENCY_CODES.has(code);
}

/** Turns every error into the `{code,msg,data}` envelope; 500s keep their details in the log. */
@Catch()
export class EnvelopeExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request & { id?: string }>();
    if (response.headersSent) return;

    if (exception instanceof DomainError) {
      // Throttled answers carry HTTP 429 as well, as every throttle's do, so clients back off.
      const status = exception.code === ResultCode.Throttled ? HttpStatus.TOO_MANY_REQUESTS : HttpStatus.OK;
      response.status(status).json(failure(exception.code, exception.message, exception.data));
      return;
    }
    if (exception instanceof HttpException) {
      const code = STATUS_TO_CODE[exception.getStatus()];
      if (code !== undefined) {
        const status = code === ResultCode.Throttled ? HttpStatus.TOO_MANY_REQUESTS : HttpStatus.OK;
        response.status(status).json(failure(code, httpExceptionMessage(exception, request)));
        return;
      }
    }
    if (isConnectionFailure(exception)) {
      this.logger.warn(
        `request ${request.id ?? '-'} ${request.method} ${request.path}: database connection failed (${(exception as Error).message})`,
      );
      response
        .status(HttpStatus.OK)
        .json(failure(ResultCode.Unavailable, 'The database connection failed; the request may not have been carried out, try again'));
      return;
    }
    if (isConcurrencyFailure(exception)) {
      this.logger.warn(`request ${request.id ?? '-'} ${request.method} ${request.path}: ${(exception as Error).message}; nothing was kept`);
      response
        .status(HttpStatus.OK)
        .json(
          failure(ResultCode.Conflict, 'This change met another one made at the same moment, and nothing of it was kept: send it again'),
        );
      return;
    }
    this.logger.error(
      `request ${request.id ?? '-'} ${request.method} ${request.path} failed`,
      exception instanceof Error ? exception.stack : inspect(exception, { depth: 4 }),
    );
    response.status(HttpStatus.OK).json(failure(ResultCode.Internal, `Internal error (request ${request.id ?? '-'})`));
  }
}
