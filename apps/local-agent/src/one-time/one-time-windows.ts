import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CloudUnreachableError } from '@cos/cloud-client';
import { ForbiddenError, ID_ALIASES, InvalidParamError, Permission, ResultCode, UnauthorizedError, UUID_ALIASES } from '@cos/contracts';
import type { WindowResponse } from '@cos/contracts';
import { AgentCloud } from '../cloud/agent-cloud';
import { AgentConfig } from '../config/agent-config';
import { AgentEvents } from '../events/agent-events';
import { writePrivate } from '../identity/agent-files';
import { CloseOutbox } from '../outbox/close-outbox';

/** What creating, opening and finally deleting a window for good takes. */
const NEEDED: Permission[] = ['browser:create:single', 'browser:open', 'browser:delete:recycle', 'browser:delete:permanent'];
export const REF_KEYS: readonly string[] = [...ID_ALIASES, ...UUID_ALIASES];
const MAX_DELAY_MS = 60_000;

interface Marker {
  id: number;
  uuid: string;
  createdAt: string;
}

export interface Disposal {
  /** Gone from the cloud (recycle bin included); local files are removed at once either way. */
  deleted: boolean;
  /** Why the cloud part waits; it is retried until it is done, across agent restarts. */
  pending?: string;
}

/**
 * Windows opened with `oneTime: true`: created in the cloud for one session and deleted for good
 * (cloud row, recycle bin, profile, zip, launch files) once they close, however they close. A
 * marker file under `one-time/` is written as soon as the cloud created the window and removed
 * only when the cloud has deleted it, so a deletion the cloud could not take now is retried,
 * by this agent or the next one.
 */
@Injectable()
export class OneTimeWindows implements OnApplicationShutdown {
  private readonly logger = new Logger(OneTimeWindows.name);
  private readonly dir: string;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly failures = new Map<string, number>();
  private stopped = false;

  constructor(
    private readonly config: AgentConfig,
    private readonly cloud: AgentCloud,
    private readonly outbox: CloseOutbox,
    private readonly events: AgentEvents,
  ) {
    this.dir = config.path('one-time');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  /** Creates the window from `settings` (what `/browser/update` takes) after checking every permission it will need. */
  async create(settings: unknown): Promise<WindowResponse> {
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
      throw new InvalidParamError("window must be an object: the new window's settings, as /browser/update takes them");
    }
    const named = REF_KEYS.filter((key) => key in settings);
    if (named.length > 0) throw new InvalidParamError(`window.${named[0]}: a one-time window is a new one; name no existing window`);
    const me = await this.cloud.data<{ permissions: string[] }>('/auth/me', {});
    const missing = NEEDED.filter((p) => !me.permissions.includes(p));
    if (missing.length > 0)
      throw new ForbiddenError(`A one-time window needs the permission${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    const created = await this.cloud.data<WindowResponse>('/browser/update', {
      name: `one-time ${new Date().toISOString().slice(0, 19).replace('T', ' ')}`,
      config: {},
      ...settings,
    });
    const marker: Marker = { id: created.id, uuid: created.uuid, createdAt: new Date().toISOString() };
    writePrivate(this.file(created.uuid), JSON.stringify(marker));
    return created;
  }

  has(uuid: string): boolean {
    return this.read(uuid) !== null;
  }

  /** Markers of windows not running here: their deletion was cut short (agent stopped, cloud away). */
  resume(isRunning: (uuid: string) => boolean, localFiles: (uuid: string) => string[]): void {
    for (const file of readdirSync(this.dir).filter((f) => f.endsWith('.json'))) {
      const uuid = file.slice(0, -'.json'.length);
      if (isRunning(uuid)) continue;
      this.dispose(uuid, localFiles(uuid)).catch((error: unknown) =>
        this.logger.warn(`one-time window ${uuid} could not be disposed: ${(error as Error).message}`),
      );
    }
  }

  /** Removes the window's files here now, then deletes it in the cloud, or schedules that. */
  async dispose(uuid: string, localFiles: string[]): Promise<Disposal> {
    for (const path of localFiles) rmSync(path, { recursive: true, force: true });
    const marker = this.read(uuid);
    if (!marker) return { deleted: true };
    let disposal: Disposal;
    try {
      disposal = await this.deleteInCloud(marker);
    } catch (error) {
      disposal = { deleted: false, pending: (error as Error).message };
    }
    if (disposal.deleted) {
      rmSync(this.file(uuid), { force: true });
      this.failures.delete(uuid);
      this.events.emit('window.disposed', uuid, { id: marker.id });
    } else {
      this.logger.warn(`one-time window ${uuid} not deleted in the cloud yet (${disposal.pending}); retried`);
      this.retry(uuid, localFiles);
    }
    return disposal;
  }

  private async deleteInCloud(marker: Marker): Promise<Disposal> {
    // The close report first: the cloud keeps an open window out of the recycle bin.
    const close = await this.outbox.deliver(marker.uuid);
    if (close.state === 'pending') return { deleted: false, pending: close.error };
    for (const [path, body] of [
      ['/browser/delete', { uuid: marker.uuid }],
      ['/browser/recycle/delete', { ids: [marker.id] }],
    ] as const) {
      let answer;
      try {
        answer = await this.cloud.call(path, body);
      } catch (error) {
        if (error instanceof CloudUnreachableError || error instanceof UnauthorizedError) return { deleted: false, pending: error.message };
        throw error;
      }
      // Not found: an earlier attempt (or someone else) got this far already.
      if (answer.code !== 0 && answer.code !== ResultCode.NotFound) return { deleted: false, pending: `${answer.code} ${answer.msg}` };
    }
    return { deleted: true };
  }

  private retry(uuid: string, localFiles: string[]): void {
    if (this.stopped) return;
    const failures = (this.failures.get(uuid) ?? 0) + 1;
    this.failures.set(uuid, failures);
    clearTimeout(this.timers.get(uuid));
    const delay = Math.min(MAX_DELAY_MS, this.config.env.AGENT_OUTBOX_RETRY_MS * 2 ** (failures - 1));
    const timer = setTimeout(() => {
      this.timers.delete(uuid);
      this.dispose(uuid, localFiles).catch((error: unknown) =>
        this.logger.warn(`one-time window ${uuid} could not be disposed: ${(error as Error).message}`),
      );
    }, delay);
    timer.unref();
    this.timers.set(uuid, timer);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private read(uuid: string): Marker | null {
    try {
      return JSON.parse(readFileSync(this.file(uuid), 'utf8')) as Marker;
    } catch {
      return null;
    }
  }

  private file(uuid: string): string {
    return join(this.dir, `${uuid}.json`);
  }
}
