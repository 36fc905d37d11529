import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError, InvalidParamError, LIMITS, parseProxyLine, PROXY_LINES_MAX } from '@cos/contracts';
import { createValidationPipe } from '@cos/server-common';
import { AuthContext } from '../access/auth-context';
import { rethrowDuplicate } from '../common/sql';
import { AddProxyDto } from '../proxies/dto/proxy.dto';
import { ProxiesService } from '../proxies/proxies.service';
import { endpointKey, ProxyStore } from '../proxies/proxy-store';
import { ImportProxiesDto } from './dto/import.dto';

export interface LineOutcome {
  line: number;
  ok: boolean;
  id?: number;
  name?: string;
  error?: string;
}

const pipe = createValidationPipe();

/**
 * A pasted proxy's name: `type://host:port user` as it is, or when longer than a name may be, its
 * start (whole characters) and a short digest of all of it, so proxies that differ only past the
 * cut (long session user names) keep names of their own.
 */
export function proxyName(full: string): string {
  if (full.length <= LIMITS.nameMax) return full;
  const digest = createHash('sha256').update(full).digest('hex').slice(0, 8);
  let start = '';
  // Whole characters (an emoji is two UTF-16 units): half of one is not text a database takes.
  for (const character of full) {
    if (start.length + character.length > LIMITS.nameMax - 11) break;
    start += character;
  }
  return `${start}… #${digest}`;
}

/**
 * Saved proxies from a pasted list, one per line: each line parsed and checked as `/proxy/add`
 * checks one, named `type://host:port` (and its user), a line that repeats another or a proxy
 * saved already answered as such; the good ones saved in one transaction. The connection check of
 * each is the console's next call (`/proxy/check`), not this one's: a paste never waits on proxies.
 */
@Injectable()
export class ProxyImport {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly proxies: ProxiesService,
    private readonly store: ProxyStore,
  ) {}

  async import(auth: AuthContext, dto: ImportProxiesDto) {
    // A lone carriage return ends a line too (old Mac files): two proxies never run into one password.
    const lines = dto.text.split(/\r\n|\r|\n/).map((text, i) => ({ line: i + 1, text: text.trim() }));
    const filled = lines.filter((l) => l.text !== '' && !l.text.startsWith('#'));
    if (filled.length === 0) throw new InvalidParamError('text holds no proxy line');
    if (filled.length > PROXY_LINES_MAX)
      throw new InvalidParamError(`text holds ${filled.length} proxies; at most ${PROXY_LINES_MAX} at once`);
    const outcomes: LineOutcome[] = [];
    const good: { line: number; add: AddProxyDto }[] = [];
    const seen = new Map<string, number>();
    for (const { line, text } of filled) {
      try {
        const proxy = parseProxyLine(text);
        const name = proxyName(`${proxy.proxyType}://${proxy.host}:${proxy.port}${proxy.proxyUserName ? ` ${proxy.proxyUserName}` : ''}`);
        const add = (await pipe.transform({ name, ...proxy }, { type: 'body', metatype: AddProxyDto })) as AddProxyDto;
        // The name as it will be saved (trimmed by the proxy's own check): two lines saving one name are one proxy.
        const earlier = seen.get(add.name);
        if (earlier !== undefined) throw new InvalidParamError(`the same proxy as line ${earlier}`);
        seen.set(add.name, line);
        good.push({ line, add });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        outcomes.push({ line, ok: false, error: error.message });
      }
    }
    const saved = await this.db
      .transaction(async (manager) => {
        const taken = await this.store.namesTaken(
          manager,
          auth.teamId,
          good.map((g) => g.add.name),
        );
        // A proxy saved under another name (renamed since) is the same proxy all the same.
        const pointedAt = await this.store.endpointsTaken(
          manager,
          auth.teamId,
          good.map((g) => g.add),
        );
        let count = 0;
        for (const { line, add } of good) {
          const savedAs = taken.has(add.name) ? add.name : pointedAt.get(endpointKey(add));
          if (savedAs !== undefined) {
            outcomes.push({ line, ok: false, name: add.name, error: `already saved as "${savedAs}"` });
            continue;
          }
          const id = dto.dryRun ? undefined : (await this.proxies.addIn(manager, auth, add)).id;
          outcomes.push({ line, ok: true, name: add.name, ...(id ? { id } : {}) });
          count++;
        }
        return dto.dryRun ? 0 : count;
      })
      // Saved meanwhile by another call: nothing of this one is kept, and it may be sent again.
      .catch(rethrowDuplicate('A proxy of this list was saved by another call meanwhile; nothing was saved, check the list again'));
    outcomes.sort((a, b) => a.line - b.line);
    return { dryRun: dto.dryRun === true, saved, failed: outcomes.filter((o) => !o.ok).length, lines: outcomes };
  }
}
