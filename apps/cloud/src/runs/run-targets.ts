import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { InvalidParamError, LIMITS, stepVariables, VARIABLE_NAME } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import type { TaskRow } from '../tasks/task-store';
import { VariablesService } from '../variables/variables.service';
import { WindowAccess } from '../windows/window-access';
import { StartRunDto, VARIABLE_VALUE_MAX, VARIABLES_MAX } from './dto/run.dto';
import { RunStore, Target } from './run-store';

/** What a run is started on: the windows it names in the caller's scope, each with a value for every variable its steps use. */
@Injectable()
export class RunTargets {
  constructor(
    private readonly runs: RunStore,
    private readonly access: WindowAccess,
    private readonly variables: VariablesService,
  ) {}

  /**
   * Every window has a value for every variable the steps name: given with the run, kept by the
   * team, or kept by that window. Otherwise nothing starts, and the answer names what is missing where.
   */
  async complete(manager: EntityManager, auth: AuthContext, task: TaskRow, given: Record<string, string>, windows: Target[]) {
    const missing = stepVariables(task.steps).filter((name) => !Object.prototype.hasOwnProperty.call(given, name));
    if (missing.length === 0) return;
    const stored = await this.variables.forWindows(
      manager,
      auth.teamId,
      windows.map((w) => w.id),
      missing,
    );
    const unset = missing.filter((name) => !Object.hasOwn(stored.team.values, name));
    // Per name, the windows that keep no value of their own: only those names and windows are told.
    const gaps = unset
      .map((name) => ({ name, windows: windows.filter((w) => !Object.hasOwn(stored.windows.get(w.id)!.values, name)).map((w) => w.id) }))
      .filter((gap) => gap.windows.length > 0);
    if (gaps.length === 0) return;
    const listed = (ids: number[]) => ids.slice(0, 5).join(', ') + (ids.length > 5 ? ` and ${ids.length - 5} more` : '');
    throw new InvalidParamError(
      `variables without a value: ${gaps.map((g) => g.name).join(', ')} (not given with the run, not kept by the team, ` +
        `nor by ${gaps.map((g) => `window ${listed(g.windows)} for ${g.name}`).join('; ')})`,
    );
  }

  /** The windows the run names, each in the caller's scope: by id (unknown or out of scope is 404), or a group's or a tag's. */
  async targets(manager: EntityManager, auth: AuthContext, dto: StartRunDto): Promise<Target[]> {
    let windows: Target[];
    if (dto.windowIds) {
      await this.access.requireWindows(manager, auth, dto.windowIds, 'read');
      windows = await this.runs.targets(manager, auth.teamId, { ids: dto.windowIds }, LIMITS.idsMax);
    } else if (dto.groupId !== undefined) {
      await this.access.checkGroup(manager, auth, dto.groupId);
      windows = await this.runs.targets(manager, auth.teamId, { groupId: dto.groupId }, LIMITS.idsMax);
    } else {
      await this.access.checkTags(manager, auth, [dto.tagId!]);
      windows = (await this.runs.targets(manager, auth.teamId, { tagId: dto.tagId }, LIMITS.idsMax)).filter((w) => auth.inScope(w.groupId));
    }
    if (windows.length === 0) throw new InvalidParamError('The run names no window');
    if (windows.length > LIMITS.idsMax) throw new InvalidParamError(`A run takes at most ${LIMITS.idsMax} windows`);
    return windows;
  }
}

/** A `{name: text}` object of at most VARIABLES_MAX values. */
export function valuesOf(input: unknown, field: string): Record<string, string> {
  if (input === undefined) return {};
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new InvalidParamError(`${field} must be an object of names to text`);
  const entries = Object.entries(input as Record<string, unknown>);
  if (entries.length > VARIABLES_MAX) throw new InvalidParamError(`${field} takes at most ${VARIABLES_MAX} values`);
  for (const [name, value] of entries) {
    if (!VARIABLE_NAME.test(name)) throw new InvalidParamError(`${field}: ${name.slice(0, 70)} is not a name of letters, digits and _`);
    if (typeof value !== 'string' || value.length > VARIABLE_VALUE_MAX || value.includes('\u0000'))
      throw new InvalidParamError(`${field}.${name} must be text of at most ${VARIABLE_VALUE_MAX} characters`);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}
