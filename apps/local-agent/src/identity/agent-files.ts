import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CloudSession, SessionStore } from '@cos/cloud-client';
import { AgentConfig } from '../config/agent-config';

/** Writes a file only its owner can read, atomically (temporary file, then rename). */
export function writePrivate(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** A small file re-read only when it changed on disk, so the CLI and the agent see each other's writes. */
class WatchedFile {
  private cached: { mtimeMs: number; size: number; text: string } | null = null;

  constructor(readonly path: string) {}

  read(): string | null {
    if (!existsSync(this.path)) return (this.cached = null);
    const { mtimeMs, size } = statSync(this.path);
    if (!this.cached || this.cached.mtimeMs !== mtimeMs || this.cached.size !== size) {
      this.cached = { mtimeMs, size, text: readFileSync(this.path, 'utf8').trim() };
    }
    return this.cached.text;
  }
}

/** The local access token: made at first start, kept owner-only, rotated by the CLI. */
export class LocalToken {
  private readonly file: WatchedFile;

  constructor(config: AgentConfig) {
    this.file = new WatchedFile(config.path('local-token'));
  }

  current(): string {
    return this.file.read() ?? this.rotate();
  }

  rotate(): string {
    const token = randomBytes(32).toString('base64url');
    writePrivate(this.file.path, token);
    return token;
  }
}

/** The cloud session (refresh token included) in the data folder, owner-only. */
export class FileSessionStore implements SessionStore {
  private readonly file: WatchedFile;

  constructor(config: AgentConfig) {
    this.file = new WatchedFile(config.path('session.json'));
  }

  load(): CloudSession | null {
    const text = this.file.read();
    if (!text) return null;
    try {
      return JSON.parse(text) as CloudSession;
    } catch {
      return null;
    }
  }

  save(session: CloudSession): void {
    writePrivate(this.file.path, JSON.stringify(session));
  }

  clear(): void {
    rmSync(this.file.path, { force: true });
  }
}
