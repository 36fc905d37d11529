import { Injectable } from '@nestjs/common';
import { fromExtensionJson, fromNetscape, InvalidParamError, NotFoundError, toExtensionJson, toNetscape } from '@cos/contracts';
import type { CookieFormat, StoredCookie, WindowRef } from '@cos/contracts';
import { RunningWindows } from '../browser/running-windows';
import { AgentCloud } from '../cloud/agent-cloud';
import { cappedAtOpen } from './cookie-expiry';
import { WindowAutomation } from './window-automation';

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

  async export(windowRef: WindowRef, format: CookieFormat) {
    const { source, id, uuid, cookies } = await this.read(windowRef);
    const file = format === 'json' ? { cookies: toExtensionJson(cookies) } : toNetscape(cookies);
    return { id, uuid, source, format, total: cookies.length, ...file };
  }

  async import(windowRef: WindowRef, format: CookieFormat, payload: { cookies?: unknown; text?: unknown }, mode: ImportMode) {
    const cookies = parse(format, payload);
    if (this.runsHere(windowRef)) {
      const answer = await this.automation.setCookies(windowRef, cookies, mode === 'replace');
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
      ...windowRef,
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

  private async read(windowRef: WindowRef): Promise<{ source: 'browser' | 'cloud'; id: number; uuid: string; cookies: StoredCookie[] }> {
    if (this.runsHere(windowRef)) {
      const window = this.windows.runningWindow(windowRef);
      return { source: 'browser', id: window.id, uuid: window.uuid, cookies: await this.automation.cookies(windowRef) };
    }
    const stored = await this.cloud.data<{ id: number; uuid: string; cookies: StoredCookie[] }>('/browser/cookies/export', windowRef);
    return { source: 'cloud', ...stored };
  }

  private runsHere(windowRef: WindowRef): boolean {
    try {
      this.windows.runningWindow(windowRef);
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
  }
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
