import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ConflictError, ForbiddenError, NotFoundError } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { AuditLog } from '../audit/audit-log';
import { SecretBox } from '../crypto/secret-box';
import { WindowAccess } from '../windows/window-access';
import { SetVariableDto, VariableNameDto, VariableWhereDto } from './dto/variable.dto';
import { VariableStore } from './variable-store';

/** Values a team keeps, at most. */
export const TEAM_VARIABLES_MAX = 200;
/** Values one window keeps, at most. */
export const WINDOW_VARIABLES_MAX = 50;

/** What a window run is filled with from the store: its values by name, and the names of those that are secrets. */
export interface WindowValues {
  values: Record<string, string>;
  secrets: string[];
}

/**
 * Variables kept for task runs: the team's, and each window's own (a window's login, its account
 * id). A window run is filled with the team's values, then the run's own, then the window's: a
 * window's value is never replaced by one meant for every window (one account for many windows
 * would link them). Secrets are sealed as they arrive and only opened to fill a run's order.
 */
@Injectable()
export class VariablesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly store: VariableStore,
    private readonly access: WindowAccess,
    private readonly box: SecretBox,
    private readonly audit: AuditLog,
  ) {}

  async set(auth: AuthContext, dto: SetVariableDto) {
    const secret = dto.secret === true;
    await this.db.transaction(async (manager) => {
      const windowId = await this.where(manager, auth, dto, 'write');
      const room = await this.store.room(manager, auth.teamId, windowId, dto.name);
      const max = windowId === null ? TEAM_VARIABLES_MAX : WINDOW_VARIABLES_MAX;
      if (!room.exists && room.count >= max)
        throw new ConflictError(
          `${windowId === null ? 'The team' : `Window ${windowId}`} keeps ${max} variables already; delete one first`,
        );
      await this.store.upsert(manager, {
        teamId: auth.teamId,
        windowId,
        name: dto.name,
        value: secret ? null : dto.value,
        sealed: secret ? this.box.seal(dto.value) : null,
        actorId: auth.userId,
      });
      await this.audit.record(manager, {
        teamId: auth.teamId,
        actorId: auth.userId,
        kind: 'variable.set',
        data: { name: dto.name, windowId, secret },
      });
    });
    return { name: dto.name, windowId: dto.windowId ?? null, secret };
  }

  async list(auth: AuthContext, dto: VariableWhereDto) {
    return this.db.transaction(async (manager) => {
      const windowId = await this.where(manager, auth, dto, 'read');
      const rows = await this.store.list(manager, auth.teamId, windowId);
      return {
        list: rows.map((r) => ({ ...r, updatedAt: new Date(r.updatedAt).toISOString() })),
        max: windowId === null ? TEAM_VARIABLES_MAX : WINDOW_VARIABLES_MAX,
      };
    });
  }

  async delete(auth: AuthContext, dto: VariableNameDto) {
    await this.db.transaction(async (manager) => {
      const windowId = await this.where(manager, auth, dto, 'write');
      if (!(await this.store.delete(manager, auth.teamId, windowId, dto.name)))
        throw new NotFoundError(`Variable ${dto.name} not found${windowId === null ? '' : ` on window ${windowId}`}`);
      await this.audit.record(manager, {
        teamId: auth.teamId,
        actorId: auth.userId,
        kind: 'variable.deleted',
        data: { name: dto.name, windowId },
      });
    });
  }

  /**
   * The stored values for each window, team values first and the window's own over them (the
   * run's values go between, by the caller): only the names asked for.
   */
  async forWindows(
    manager: EntityManager,
    teamId: number,
    windowIds: readonly number[],
    names: readonly string[],
  ): Promise<{ team: WindowValues; windows: Map<number, WindowValues> }> {
    // Without a prototype: a variable named __proto__ or constructor is a value like any other.
    const empty = (): WindowValues => ({ values: Object.create(null) as Record<string, string>, secrets: [] });
    const team = empty();
    const windows = new Map<number, WindowValues>(windowIds.map((id) => [id, empty()]));
    if (names.length === 0) return { team, windows };
    for (const row of await this.store.values(manager, teamId, windowIds, names)) {
      const into = row.windowId === null ? team : windows.get(row.windowId);
      if (!into) continue;
      const value = row.sealed !== null ? this.box.open(row.sealed) : (row.value ?? '');
      into.values[row.name] = value;
      if (row.sealed !== null) into.secrets.push(row.name);
    }
    return { team, windows };
  }

  /** The window named (in the caller's scope; out of scope is not found), or null for the team's own. */
  private async where(manager: EntityManager, auth: AuthContext, dto: VariableWhereDto, mode: 'read' | 'write'): Promise<number | null> {
    if (dto.windowId === undefined) {
      // A team value fills every window without its own, those outside a limited member's groups too.
      if (mode === 'write' && auth.scopedGroupIds)
        throw new ForbiddenError("The team's variables fill windows outside your groups: set a window's own value instead (windowId)");
      return null;
    }
    const window = await this.access.requireWindow(manager, auth, { id: dto.windowId }, mode, 'live', false);
    return window.id;
  }
}
