import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { NotFoundError } from '@cos/contracts';
import { BidiClient } from './bidi-client';
import { cut, ENTRY_URL_MAX, Ring } from './tab-state';

export interface DownloadEntry {
  id: string;
  url: string | null;
  suggestedFilename: string;
  /** The file's name in the window's downloads folder, once it is complete. */
  file: string | null;
  state: 'in progress' | 'complete' | 'canceled' | 'removed';
  bytes: number | null;
  startedAt: number;
  endedAt: number | null;
  /** Why a completed file is gone: the folder went over its size limit. */
  note?: string;
}

const DOWNLOADS_KEPT = 200;

/**
 * A window's downloads: Firefox saves them into `downloads/` of the window's profile folder
 * (never part of the synced profile), and they are listed and fetched by id. The folder is kept
 * under `maxBytes`: the oldest files go first once a finished download takes it over.
 */
export class WindowDownloads {
  private readonly entries = new Ring<DownloadEntry>(DOWNLOADS_KEPT);
  private readonly byNavigation = new Map<string, DownloadEntry>();
  private nextId = 1;

  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Files an earlier agent run saw finish stay listed.
    for (const file of readdirSync(dir).sort()) {
      const stat = statSync(join(dir, file), { throwIfNoEntry: false });
      if (!stat?.isFile() || file.endsWith('.part')) continue;
      this.entries.push({
        id: `d${this.nextId++}`,
        url: null,
        suggestedFilename: file,
        file,
        state: 'complete',
        bytes: stat.size,
        startedAt: stat.mtimeMs,
        endedAt: stat.mtimeMs,
      });
    }
  }

  async start(client: BidiClient): Promise<void> {
    await client.send('browser.setDownloadBehavior', { downloadBehavior: { type: 'allowed', destinationFolder: this.dir } });
    client.on('browsingContext.downloadWillBegin', (p) => this.began(p));
    client.on('browsingContext.downloadEnd', (p) => this.ended(p));
  }

  list(): DownloadEntry[] {
    return this.entries.all().map(({ seq: _seq, ...entry }) => entry);
  }

  /** The path of a finished download; 404 for an unknown id or a file no longer there. */
  path(id: string): { path: string; entry: DownloadEntry } {
    const entry = this.entries.all().find((e) => e.id === id);
    if (!entry) throw new NotFoundError(`Download ${id} is not known; list them with /browser/downloads`);
    if (entry.state !== 'complete' || !entry.file) throw new NotFoundError(`Download ${id} is ${entry.state}, no file to fetch`);
    const path = resolve(this.dir, entry.file);
    // Firefox names the file; it must still be inside the folder, and a file.
    if (relative(this.dir, path).startsWith('..') || !statSync(path, { throwIfNoEntry: false })?.isFile()) {
      throw new NotFoundError(`Download ${id}'s file is no longer there`);
    }
    return { path, entry };
  }

  private began(params: Record<string, unknown>): void {
    const entry = this.entries.push({
      id: `d${this.nextId++}`,
      url: typeof params.url === 'string' ? cut(params.url, ENTRY_URL_MAX) : null,
      suggestedFilename: typeof params.suggestedFilename === 'string' ? cut(params.suggestedFilename, 255) : '',
      file: null,
      state: 'in progress',
      bytes: null,
      startedAt: typeof params.timestamp === 'number' ? params.timestamp : Date.now(),
      endedAt: null,
    });
    if (typeof params.navigation === 'string') this.byNavigation.set(params.navigation, entry);
    if (this.byNavigation.size > DOWNLOADS_KEPT) this.byNavigation.delete(this.byNavigation.keys().next().value!);
  }

  private ended(params: Record<string, unknown>): void {
    const entry = typeof params.navigation === 'string' ? this.byNavigation.get(params.navigation) : undefined;
    if (!entry) return;
    this.byNavigation.delete(params.navigation as string);
    entry.endedAt = typeof params.timestamp === 'number' ? params.timestamp : Date.now();
    if (params.status !== 'complete' || typeof params.filepath !== 'string') {
      entry.state = 'canceled';
      return;
    }
    entry.state = 'complete';
    entry.file = basename(params.filepath);
    entry.bytes = statSync(join(this.dir, entry.file), { throwIfNoEntry: false })?.size ?? null;
    this.keepUnderLimit();
  }

  private keepUnderLimit(): void {
    const kept = this.entries.all().filter((e) => e.state === 'complete' && e.file);
    let total = kept.reduce((sum, e) => sum + (e.bytes ?? 0), 0);
    for (const entry of kept) {
      if (total <= this.maxBytes) break;
      rmSync(join(this.dir, entry.file!), { force: true });
      total -= entry.bytes ?? 0;
      entry.state = 'removed';
      entry.note = `removed: the window's downloads went over ${this.maxBytes} bytes`;
    }
  }
}
