import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

import type { Request as ExpressRequest } from 'express';

type Request = Record<string, unknown>;

/** The client's address as Express names it (X-Forwarded-For only from a proxy `TRUST_PROXY` trusts). */
export const clientAddress = (req: ExpressRequest): string => req.ip ?? req.socket.remoteAddress ?? '';

/** Attempts per client address and email: one account can't be guessed at from one address. */
export const byAddressAndEmail = (req: Request): Promise<string> => {
  const body = (req.body ?? {}) as { email?: unknown };
  const email = typeof body.email === 'string' ? body.email.trim().toLowerCase() : '';
  return Promise.resolve(`${String(req.ip)}|${email}`);
};

/** Attempts per client address alone: a new email per try neither escapes the limit nor gets password hashing for free. */
export const byAddress = (req: Request): Promise<string> => Promise.resolve(String(req.ip));

/** One counter per address for login and registration together (the default key names the route). */
export const acrossRoutes = (_context: unknown, tracker: string, throttlerName: string): string => `${throttlerName}:${tracker}`;

/**
 * Guards login and registration with the named throttlers of `AuthModule` (per address and
 * email, per address), checked before the body's password is hashed or verified.
 */
@Injectable()
export class LoginThrottlerGuard extends ThrottlerGuard {}
