import { Injectable } from '@nestjs/common';
import {
  fromExtensionJson,
  fromNetscape,
  InvalidParamError,
  NotFoundError,
  resolveWindowRef,
  toExtensionJson,
  toNetscape,
} from '@cos/contracts';
import type { CookieFormat, StoredCookie } from '@cos/contracts';
import { RunningWindows } from '../browser/running-windows';
import { AgentCloud } from '../cloud/agent-cloud';
import { cappedAtOpen } from './cookie-expiry';
import { WindowAutomation } from './window-automation';

type Body = Record<string, unknown>;
export type ImportMode = 'merge' | 'replace';

/**
 * Cookie files for any window: a window running here is read from and written to its browser
 * (whose cookies are newer than the cloud's and reach it at the close); any other window through
 * the cloud's stored cookies, which its next open starts with.
 */
@Injectable()
export class CookieFiles {
  constructor(
    private readonly windows: RunningWindows,
    private readonly automation: WindowAutomation,
    private readonly cloud: AgentCloud,
  ) {}

  async export(body: Body, format: CookieFormat) {
    const { source, id, uuid, cookies } = await this.read(body);
    const file = format === 'json' ? { cookies: toExtensionJson(cookies) } : toNetscape(cookies);
    return { id, uuid, source, format, total: cookies.length, ...file };
  }

  async import(body: Body, format: CookieFormat, payload: { cookies?: unknown; text?: unknown }, mode: ImportMode) {
    const cookies = parse(format, payload);
    if (this.runsHere(body)) {
      const answer = await this.automation.setCookies(body, cookies, mode === 'replace');
      return {
        id: answer.id,
        uuid: answer.uuid,
        source: 'browser',
        mode,
        imported: cookies.length,
        total: answer.total,
        capped: answer.capped,
      };
    }
    const answer = await this.cloud.data<{ id: number; uuid: string; total: number }>('/browser/cookies/import', {
      ...cloudRef(body),
      cookies,
      mode,
    });
    // Stored as given; Firefox cuts them when the window opens.
    return {
      id: answer.id,
      uuid: answer.uuid,
      source: 'cloud',
      mode,
      imported: cookies.length,
      total: answer.total,
      capped: cappedAtOpen(cookies),
    };
  }

  private async read(body: Body): Promise<{ source: 'browser' | 'cloud'; id: number; uuid: string; cookies: StoredCookie[] }> {
    if (this.runsHere(body)) {
      const window = this.windows.runningWindow(body);
      return { source: 'browser', id: window.id, uuid: window.uuid, cookies: await this.automation.cookies(body) };
    }
    const stored = await this.cloud.data<{ id: number; uuid: string; cookies: StoredCookie[] }>('/browser/cookies/export', cloudRef(body));
    return { source: 'cloud', ...stored };
  }

  private runsHere(body: Body): boolean {
    try {
      this.windows.runningWindow(body);
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
  }
}

function cloudRef(body: Body): { uuid: string } | { id: number } {
  const ref = resolveWindowRef(body);
  return ref.uuid ? { uuid: ref.uuid } : { id: ref.id! };
}

function parse(format: CookieFormat, payload: { cookies?: unknown; text?: unknown }): StoredCookie[] {
  if (format === 'json') {
    if (payload.text !== undefined) throw new InvalidParamError('text is for format netscape; format json takes cookies (an array)');
    return fromExtensionJson(payload.cookies);
  }
  if (payload.cookies !== undefined)
    throw new InvalidParamError('cookies is for format json; format netscape takes text (the cookies.txt file)');
  if (typeof payload.text !== 'string') throw new InvalidParamError('text must be the cookies.txt file as a string');
  return fromNetscape(payload.text);
}
