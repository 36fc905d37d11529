import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { checkCookies, DomainError, fromExtensionJson, fromNetscape, InvalidParamError, parseProxyLine } from '@cos/contracts';
import type { StoredCookie } from '@cos/contracts';
import { createValidationPipe } from '@cos/server-common';
import { AuthContext } from '../access/auth-context';
import { IdentityGenerator } from '../fingerprints/identity-generator';
import { GroupStore } from '../groups/group-store';
import { TagStore } from '../tags/tag-store';
import { UpdateWindowDto } from '../windows/dto/window.dto';
import { WindowStore } from '../windows/window-store';
import { WindowsService } from '../windows/windows.service';
import { ImportRowDto, ImportWindowsDto } from './dto/import.dto';

/** What became of one row: created (or, in a dry run, would be), or why not. */
export interface RowOutcome {
  index: number;
  ok: boolean;
  id?: number;
  name?: string;
  error?: string;
  /** A failed row's group or tags that the team does not have (so a caller may create them and try again). */
  missing?: { group?: string; tags?: string[] };
  warnings?: string[];
}

interface Checked {
  index: number;
  row: ImportRowDto;
  body: Record<string, unknown>;
  cookies: StoredCookie[];
  warnings: string[];
}

const pipe = createValidationPipe();

/**
 * Windows created from an import: each row checked by the same rules as a window created one by
 * one (its fields, its proxy line, its cookies), its group and tags named and found in the team
 * and the caller's scope; then every good row is created in one transaction and every bad one is
 * answered with its reason. A dry run answers the same without creating anything. A row's user
 * agent is never used: the window's device is a Firefox one drawn whole, never another engine's.
 */
@Injectable()
export class WindowImport {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly windows: WindowsService,
    private readonly store: WindowStore,
    private readonly groups: GroupStore,
    private readonly tags: TagStore,
    private readonly identities: IdentityGenerator,
  ) {}

  async import(auth: AuthContext, dto: ImportWindowsDto) {
    const outcomes: RowOutcome[] = [];
    const good: Checked[] = [];
    for (const [index, raw] of dto.rows.entries()) {
      const checked = await this.check(index, raw).catch((error: unknown) => {
        if (error instanceof DomainError) return error.message;
        throw error;
      });
      if (typeof checked === 'string') outcomes.push({ index, ok: false, error: checked });
      else good.push(checked);
    }
    const created = await this.db.transaction(async (manager) => {
      await this.resolveNames(manager, auth, good, outcomes);
      const ready = good.filter((c) => !outcomes.some((o) => o.index === c.index));
      if (dto.dryRun) {
        for (const c of ready)
          outcomes.push({ index: c.index, ok: true, name: c.row.name, ...(c.warnings.length ? { warnings: c.warnings } : {}) });
        return 0;
      }
      for (const c of ready) {
        const body = { ...c.body, browserFingerPrint: this.identities.random(c.row.os ? { os: c.row.os } : {}) };
        const window = await this.windows.createIn(manager, auth, body as UpdateWindowDto).catch((error: unknown) => {
          // Checked above: a refusal here is a race (a group deleted meanwhile); nothing of the batch is kept.
          if (error instanceof DomainError) throw new DomainError(error.code, `row ${c.index}: ${error.message}`);
          throw error;
        });
        if (c.cookies.length > 0) await this.store.setCookies(manager, window.id, c.cookies, false);
        outcomes.push({
          index: c.index,
          ok: true,
          id: window.id,
          name: window.name,
          ...(c.warnings.length ? { warnings: c.warnings } : {}),
        });
      }
      return ready.length;
    });
    outcomes.sort((a, b) => a.index - b.index);
    return { dryRun: dto.dryRun === true, created, failed: outcomes.filter((o) => !o.ok).length, rows: outcomes };
  }

  /** One row by the import's allowlist, then as the window it makes by the window's own rules. */
  private async check(index: number, raw: unknown): Promise<Checked> {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InvalidParamError('a row must be an object of fields');
    const row = (await pipe.transform(raw, { type: 'body', metatype: ImportRowDto })) as ImportRowDto;
    const warnings: string[] = [];
    if (row.userAgent) warnings.push('userAgent is not used: the window gets a Firefox device drawn whole');
    const body: Record<string, unknown> = {};
    if (row.name !== undefined && row.name.trim() !== '') body.name = row.name.trim();
    if (row.remark !== undefined) body.remark = row.remark;
    if (row.proxy !== undefined && row.proxy.trim() !== '') {
      const proxy = parseProxyLine(row.proxy);
      Object.assign(body, { proxyMethod: 2, ...proxy });
    }
    // The window's own checks, as /browser/update would make them.
    await pipe.transform(body, { type: 'body', metatype: UpdateWindowDto });
    return { index, row, body, cookies: cookiesOf(row.cookies), warnings };
  }

  /** Groups and tags by name: found in the team, the group in the caller's scope; a row naming one that is not fails. */
  private async resolveNames(manager: EntityManager, auth: AuthContext, rows: Checked[], outcomes: RowOutcome[]): Promise<void> {
    const groupNames = [...new Set(rows.flatMap((c) => (c.row.group ? [c.row.group] : [])))];
    const tagNames = [...new Set(rows.flatMap((c) => c.row.tags ?? []))];
    const groups = await this.groups.byNames(manager, auth.teamId, groupNames);
    const tags = await this.tags.byNames(manager, auth.teamId, tagNames);
    for (const c of rows) {
      const fail = (error: string, missing?: RowOutcome['missing']) =>
        outcomes.push({ index: c.index, ok: false, error, ...(missing ? { missing } : {}) });
      // A missing group and missing tags are answered together, so both can be created at once.
      const problems: string[] = [];
      const missing: NonNullable<RowOutcome['missing']> = {};
      if (c.row.group) {
        const id = groups.get(c.row.group);
        // To a member limited to groups, a group of the team outside them reads as one that does not
        // exist: the answer tells no name of the groups they may not see.
        if (id === undefined || !auth.inScope(id)) {
          problems.push(`group "${c.row.group}" ${auth.scopedGroupIds ? 'is not one of your groups' : 'does not exist'}`);
          missing.group = c.row.group;
        } else c.body.groupId = id;
      } else if (auth.scopedGroupIds) {
        fail('group is required: you may only create windows in your groups');
        continue;
      }
      const missingTags = (c.row.tags ?? []).filter((name) => !tags.has(name));
      if (missingTags.length > 0) {
        problems.push(`tag ${missingTags.map((n) => `"${n}"`).join(', ')} does not exist`);
        missing.tags = missingTags;
      }
      if (problems.length > 0) {
        fail(`${problems.join('; ')}; create ${problems.length > 1 ? 'them' : 'it'} first`, missing);
        continue;
      }
      if (c.row.tags?.length) c.body.tagIds = [...new Set(c.row.tags.map((name) => tags.get(name)!))];
    }
  }
}

/** Cookies as other products export them: a JSON array (or its text) or Netscape cookies.txt. */
function cookiesOf(value: unknown): StoredCookie[] {
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) return checkCookies(fromExtensionJson(value));
  if (typeof value !== 'string') throw new InvalidParamError('cookies must be a JSON array of cookies or cookies.txt text');
  const text = value.trim();
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new InvalidParamError('cookies: the JSON is not valid');
    }
    return checkCookies(fromExtensionJson(parsed));
  }
  return checkCookies(fromNetscape(text));
}
