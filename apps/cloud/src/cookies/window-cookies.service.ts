import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { checkCookies, ConflictError, COOKIES_MAX, InvalidParamError } from '@cos/contracts';
import type { StoredCookie, WindowRef } from '@cos/contracts';
import { AuditLog } from '../audit/audit-log';
import { SecretReads } from '../audit/secret-reads';
import { AuthContext } from '../access/auth-context';
import { WindowAccess } from '../windows/window-access';
import { isHeld } from '../windows/window.views';
import { WindowStore } from '../windows/window-store';
import { ImportCookiesDto } from './dto/window-cookies.dto';

const keyOf = (c: StoredCookie) => `${c.name}\u0000${c.domain}\u0000${c.path}`;

/**
 * A window's stored cookies, the ones its next open starts with. A window running on a device
 * holds newer cookies than these and writes them back at its close, so an import waits for it.
 */
@Injectable()
export class WindowCookiesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: WindowAccess,
    private readonly windows: WindowStore,
    private readonly audit: AuditLog,
    private readonly reads: SecretReads,
  ) {}

  async export(auth: AuthContext, ref: WindowRef) {
    const { window, cookies } = await this.db.transaction(async (manager) => {
      const window = await this.access.requireWindow(manager, auth, ref, 'read');
      const cookies = await this.windows.cookies(manager, window.id);
      await this.reads.cookiesExported(manager, auth, window.id, cookies.length);
      return { window, cookies };
    });
    return {
      id: window.id,
      uuid: window.uuid,
      cookies,
      total: cookies.length,
      /** Set while a device runs the window: its browser may hold newer cookies than these. */
      openDeviceId: isHeld(window) ? window.openDeviceId : null,
    };
  }

  async import(auth: AuthContext, dto: ImportCookiesDto) {
    const mode = dto.mode ?? 'merge';
    const incoming = checkCookies(dto.cookies);
    return this.db.transaction(async (manager) => {
      const window = await this.access.requireWindow(manager, auth, dto.windowRef, 'write');
      if (isHeld(window)) {
        throw new ConflictError(
          `Window ${window.uuid} is open on device ${window.openDeviceId}; import into the running window through that device's agent`,
        );
      }
      const stored = await this.windows.cookies(manager, window.id);
      const merged = new Map<string, StoredCookie>();
      if (mode === 'merge') for (const cookie of stored) merged.set(keyOf(cookie), cookie);
      for (const cookie of incoming) merged.set(keyOf(cookie), cookie);
      if (merged.size > COOKIES_MAX) {
        throw new InvalidParamError(`cookies: the window would hold ${merged.size} cookies, at most ${COOKIES_MAX}`);
      }
      const cookies = [...merged.values()];
      // A replace moves the window's cookie epoch: a device's profile copy of an older epoch starts without its own cookies.
      await this.windows.setCookies(manager, window.id, cookies, mode === 'replace');
      await this.audit.record(manager, {
        teamId: auth.teamId,
        actorId: auth.userId,
        kind: 'window.cookies_imported',
        windowIds: [window.id],
        data: { mode, imported: incoming.length, total: cookies.length },
      });
      return { id: window.id, uuid: window.uuid, mode, imported: incoming.length, total: cookies.length };
    });
  }
}
