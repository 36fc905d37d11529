import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DEFAULT_TIMEOUT_MS, DomainError, ResultCode, InvalidParamError, NotFoundError, parseSteps, stepVariables } from '@cos/contracts';
import type { Step } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { AuditLog } from '../audit/audit-log';
import { pageOf } from '../common/id.decorators';
import { rethrowDuplicate } from '../common/sql';
import { CreateTaskDto, ListTasksDto, TaskVersionDto, TaskVersionsDto, UpdateTaskDto } from './dto/task.dto';
import { TaskContent, TaskRow, TaskStore, TaskVersionRow } from './task-store';

/** A task's steps as saved, at most: its run command (variables filled) must still fit the device line. */
export const TASK_STEPS_MAX_BYTES = 40 * 1024;

/** Steps a task may keep: the shared allowlist, `{{variables}}` standing for text known at run time. */
export function taskSteps(input: unknown): Step[] {
  const steps = parseSteps(input, { template: true });
  if (Buffer.byteLength(JSON.stringify(steps)) > TASK_STEPS_MAX_BYTES)
    throw new InvalidParamError(`steps must be at most ${TASK_STEPS_MAX_BYTES} bytes as JSON`);
  return steps;
}

/**
 * Saved tasks of a team: every save keeps the version it replaced (`/task/versions`), a restore
 * saves an old version as the newest, and an update made on an older version than the newest is
 * refused (409) instead of overwriting a teammate's save.
 */
@Injectable()
export class TasksService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tasks: TaskStore,
    private readonly audit: AuditLog,
  ) {}

  async list(auth: AuthContext, dto: ListTasksDto) {
    const { page, pageSize, offset } = pageOf(dto);
    const [rows, total] = await this.tasks.page(auth.teamId, dto.keyword, offset, pageSize);
    return { list: rows.map((t) => taskView(t)), total, page, pageSize };
  }

  async detail(auth: AuthContext, id: number) {
    return taskView(await this.require(auth, id));
  }

  async create(auth: AuthContext, dto: CreateTaskDto) {
    const content: TaskContent = {
      name: dto.name,
      description: dto.description ?? '',
      steps: taskSteps(dto.steps),
      timeoutMs: dto.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      retries: dto.retries ?? 0,
    };
    const task = await this.tasks
      .insert(auth.teamId, auth.userId, content)
      .catch(rethrowDuplicate(`A task named "${dto.name}" already exists`));
    await this.record(auth, 'task.saved', task);
    return taskView(task);
  }

  async update(auth: AuthContext, dto: UpdateTaskDto) {
    const steps = dto.steps === undefined ? undefined : taskSteps(dto.steps);
    return this.save(auth, dto.id, dto.version, (task) => ({
      name: dto.name ?? task.name,
      description: dto.description ?? task.description,
      steps: steps ?? task.steps,
      timeoutMs: dto.timeoutMs ?? task.timeoutMs,
      retries: dto.retries ?? task.retries,
    }));
  }

  /** Saves an earlier version as the newest; the one it replaces is kept too. */
  async restore(auth: AuthContext, dto: TaskVersionDto) {
    return this.save(auth, dto.id, undefined, async (task, manager) => {
      const old = await this.tasks.version(manager, task.id, dto.version);
      if (!old)
        throw new NotFoundError(
          `Task ${task.id} has no version ${dto.version}${dto.version === task.version ? ' saved before (it is the current one)' : ''}`,
        );
      return { name: old.name, description: old.description, steps: old.steps, timeoutMs: old.timeoutMs, retries: old.retries };
    });
  }

  async versions(auth: AuthContext, dto: TaskVersionsDto) {
    const task = await this.require(auth, dto.id);
    const { page, pageSize, offset } = pageOf(dto);
    const [rows, total] = await this.tasks.versions(task.id, offset, pageSize);
    return { current: task.version, list: rows.map((v) => versionView(v)), total, page, pageSize };
  }

  async delete(auth: AuthContext, id: number): Promise<void> {
    const task = await this.require(auth, id);
    if (!(await this.tasks.delete(auth.teamId, id))) throw new NotFoundError(`Task ${id} not found`);
    await this.record(auth, 'task.deleted', task);
  }

  async require(auth: AuthContext, id: number): Promise<TaskRow> {
    const task = await this.tasks.find(auth.teamId, id);
    if (!task) throw new NotFoundError(`Task ${id} not found`);
    return task;
  }

  private async save(
    auth: AuthContext,
    id: number,
    expected: number | undefined,
    next: (task: TaskRow, manager: EntityManager) => TaskContent | Promise<TaskContent>,
  ) {
    const saved = await this.db
      .transaction(async (manager) => {
        const task = await this.tasks.find(auth.teamId, id, manager, true);
        if (!task) throw new NotFoundError(`Task ${id} not found`);
        if (expected !== undefined && expected !== task.version)
          throw new DomainError(
            ResultCode.Conflict,
            `Task ${id} is at version ${task.version} now, not ${expected}: load it again before saving`,
            {
              version: task.version,
            },
          );
        const row = await this.tasks.replace(manager, task, auth.userId, await next(task, manager));
        await this.audit.record(manager, {
          teamId: auth.teamId,
          actorId: auth.userId,
          kind: 'task.saved',
          data: { taskId: row.id, version: row.version },
        });
        return row;
      })
      .catch(rethrowDuplicate('A task with that name already exists'));
    return taskView(saved);
  }

  private record(auth: AuthContext, kind: 'task.saved' | 'task.deleted', task: TaskRow): Promise<void> {
    return this.db.transaction((manager) =>
      this.audit.record(manager, {
        teamId: auth.teamId,
        actorId: auth.userId,
        kind,
        data: { taskId: task.id, version: task.version, name: task.name },
      }),
    );
  }
}

function taskView(task: TaskRow) {
  return {
    id: task.id,
    name: task.name,
    description: task.description,
    steps: task.steps,
    variables: stepVariables(task.steps),
    timeoutMs: task.timeoutMs,
    retries: task.retries,
    version: task.version,
    createdBy: task.createdBy,
    updatedBy: task.updatedBy,
    createdAt: new Date(task.createdAt).toISOString(),
    updatedAt: new Date(task.updatedAt).toISOString(),
  };
}

function versionView(v: TaskVersionRow) {
  return {
    version: v.version,
    name: v.name,
    description: v.description,
    steps: v.steps,
    timeoutMs: v.timeoutMs,
    retries: v.retries,
    savedBy: v.savedBy,
    savedAt: new Date(v.savedAt).toISOString(),
  };
}
