import { ArgumentsHost } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { EnvelopeExceptionFilter } from './exception.filter';

function answerTo(exception: unknown): { status: number; body: unknown } {
  const sent: { status: number; body: unknown } = { status: 0, body: null };
  const response = {
    headersSent: false,
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: unknown) {
      sent.body = body;
    },
  };
  const host = {
    switchToHttp: () => ({ getResponse: () => response, getRequest: () => ({ id: 'r1', method: 'POST', path: '/browser/list' }) }),
  } as unknown as ArgumentsHost;
  new EnvelopeExceptionFilter().catch(exception, host);
  return sent;
}

describe('the envelope of a failure', () => {
  it('a database connection that failed is 503 (a dependency), not a 500', () => {
    const dropped = new QueryFailedError('SELECT 1', [], new Error('Connection terminated unexpectedly'));
    const shutdown = new QueryFailedError(
      'SELECT 1',
      [],
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    );
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    for (const error of [dropped, shutdown, refused]) {
      expect(answerTo(error)).toEqual({
        status: 200,
        body: { code: 503, msg: 'The database connection failed; the request may not have been carried out, try again', data: {} },
      });
    }
  });

  it('a transaction ended by a deadlock or a serialization failure is 409 with what to do, not a 500', () => {
    for (const code of ['40P01', '40001']) {
      const ended = new QueryFailedError('DELETE FROM tags', [], Object.assign(new Error('deadlock detected'), { code }));
      expect(answerTo(ended)).toEqual({
        status: 200,
        body: {
          code: 409,
          msg: 'This change met another one made at the same moment, and nothing of it was kept: send it again',
          data: {},
        },
      });
    }
  });

  it('a failing statement stays an internal error with a generic message', () => {
    const broken = new QueryFailedError('SELECT x', [], Object.assign(new Error('column "x" does not exist'), { code: '42703' }));
    expect(answerTo(broken)).toEqual({ status: 200, body: { code: 500, msg: 'Internal error (request r1)', data: {} } });
  });
});
