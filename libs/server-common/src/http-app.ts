import { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import express, { Application, NextFunction, Request, Response } from 'express';
import { failure, ResultCode } from '@cos/contracts';
import { bodyProblem } from './body-check';

export interface HttpAppOptions {
  /** Largest JSON body accepted. */
  bodyLimit?: string;
}

/**
 * The HTTP plumbing both apps share, applied by `main.ts` and by tests alike: request ids, the JSON
 * body parser, and envelope answers for bodies that are not JSON. Apps must be created with
 * `bodyParser: false` so this parser is the only one.
 */
export function configureHttpApp(app: INestApplication, options: HttpAppOptions = {}): void {
  // Answers are POST results, never revalidated: hashing each for an ETag is wasted work. Files
  // (the console) keep theirs, made from the file's size and time.
  const instance = app.getHttpAdapter().getInstance() as Application;
  instance.set('etag', () => undefined);
  instance.disable('x-powered-by');
  app.use((req: Request & { id?: string }, res: Response, next: NextFunction) => {
    req.id = randomUUID();
    res.setHeader('X-Request-Id', req.id);
    next();
  });
  // Every body is JSON but a stream of bytes (`application/octet-stream`), which its route reads itself.
  app.use(
    express.json({
      limit: options.bodyLimit ?? '2mb',
      strict: false,
      type: (req) => !String(req.headers['content-type'] ?? '').startsWith('application/octet-stream'),
    }),
  );
  app.use((error: Error & { type?: string; status?: number }, _req: Request, res: Response, next: NextFunction) => {
    if (error.type === 'entity.parse.failed') {
      res.status(200).json(failure(ResultCode.InvalidParam, 'Malformed JSON body'));
    } else if (error.type === 'entity.too.large') {
      res.status(200).json(failure(ResultCode.InvalidParam, 'Request body too large'));
    } else if (error.status && error.status < 500) {
      res.status(200).json(failure(ResultCode.InvalidParam, error.message));
    } else {
      next(error);
    }
  });
  // Bodies must be JSON objects: `[]`, `"x"` or `3` are not parameter sets.
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'POST' && req.body !== undefined && (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body))) {
      res.status(200).json(failure(ResultCode.InvalidParam, 'Request body must be a JSON object'));
      return;
    }
    const problem = req.body === undefined ? null : bodyProblem(req.body);
    if (problem) {
      res.status(200).json(failure(ResultCode.InvalidParam, problem));
      return;
    }
    if (req.method === 'POST' && req.body === undefined) req.body = {};
    next();
  });
}
