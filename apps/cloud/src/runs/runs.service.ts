import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, QueryFailedError } from 'typeorm';
import { ConflictError, DomainError, ForbiddenError, InvalidParamError, NotFoundError, ResultCode } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { AuditLog } from '../audit/audit-log';
import { ClusterBus } from '../cluster/cluster-bus';
import { pageOf } from '../common/id.decorators';
import { SecretBox } from '../crypto/secret-box';
import { CommandStore } from '../devices/command-store';
import { DeviceCommands } from '../devices/device-commands';
import { TasksService } from '../tasks/tasks.service';
import { WebhookOutbox } from '../webhooks/webhook-outbox';
import { WindowAccess } from '../windows/window-access';
import { ListRunsDto, StartRunDto, VARIABLES_MAX } from './dto/run.dto';
import { RunDispatcher } from './run-dispatcher';
import { RunShotStore } from './run-shot-store';
import { RunRow, RunStore } from './run-store';
import { RunTargets, valuesOf } from './run-targets';

const CANCEL_WAIT_MS = 60_000;

/**
 * Runs of a task over windows: started (once per idempotency key) by a member with task:run and
 * browser:open on windows in their scope and devices they may drive, seen and canceled or retried
 * by whoever started them or team:manage. Secrets are sealed at once and never answered.
 */
@Injectable()
export class RunsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly runs: RunStore,
    private readonly tasks: TasksService,
    private readonly devices: DeviceCommands,
    private readonly commands: CommandStore,
    private readonly access: WindowAccess,
    private readonly dispatcher: RunDispatcher,
    private readonly box: SecretBox,
    private readonly audit: AuditLog,
    private readonly bus: ClusterBus,
    private readonly webhooks: WebhookOutbox,
    private readonly pick: RunTargets,
    private readonly shots: RunShotStore,
  ) {}

  async start(auth: AuthContext, dto: StartRunDto) {
    if (dto.idempotencyKey) {
      const earlier = await this.runs.byKey(auth.teamId, auth.userId, dto.idempotencyKey);
      if (earlier) return this.view(earlier);
    }
    const { task, variables, secrets, deviceIds, devices } = await this.plan(auth, dto);
    if (!devices.some((d) => d.online))
      throw new DomainError(ResultCode.Unavailable, `None of the devices is online (${deviceIds.join(', ')}); nothing was started`, {});
    const id = randomUUID();
    try {
      await this.db.transaction(async (manager) => {
        const windows = await this.pick.targets(manager, auth, dto);
        // Again with the windows as this transaction sees them: a value deleted since the check is missed here.
        await this.pick.complete(manager, auth, task, { ...variables, ...secrets }, windows);
        await this.runs.insert(
          manager,
          {
            id,
            teamId: auth.teamId,
            taskId: task.id,
            taskVersion: task.version,
            taskName: task.name,
            steps: task.steps,
            timeoutMs: task.timeoutMs,
            retries: task.retries,
            actorId: auth.userId,
            devices: deviceIds,
            concurrency: dto.concurrency ?? 1,
            variables,
            secrets: Object.keys(secrets).length > 0 ? this.box.seal(JSON.stringify(secrets)) : null,
            secretNames: Object.keys(secrets),
            idempotencyKey: dto.idempotencyKey ?? null,
          },
          windows,
        );
        await this.audit.record(manager, {
          teamId: auth.teamId,
          actorId: auth.userId,
          kind: 'run.started',
          data: { runId: id, taskId: task.id, taskVersion: task.version, windows: windows.length, devices: deviceIds },
        });
      });
    } catch (error) {
      // The same key from two calls at once: the second answers the first's run.
      if (dto.idempotencyKey && error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') {
        const earlier = await this.runs.byKey(auth.teamId, auth.userId, dto.idempotencyKey);
        if (earlier) return this.view(earlier);
      }
      throw error;
    }
    await this.dispatcher.advance(id);
    return this.view(await this.require(auth, id));
  }

  /** Every check a start makes but the devices being online, and the windows it names (nothing is written). */
  async check(auth: AuthContext, dto: StartRunDto): Promise<{ windows: number }> {
    return { windows: (await this.plan(auth, dto)).windows };
  }

  /** The caller may run it: the task, its variables complete, devices the caller may drive. */
  private async plan(auth: AuthContext, dto: StartRunDto) {
    // Checked here as well as on the route: a schedule starts runs as its member with their rights of the moment.
    if (!auth.holds('task:run')) throw new ForbiddenError('Permission denied: task:run required');
    if (!auth.holds('browser:open')) throw new ForbiddenError('Permission denied: browser:open required to run tasks on windows');
    const by = [dto.windowIds, dto.groupId, dto.tagId].filter((v) => v !== undefined).length;
    if (by !== 1) throw new InvalidParamError('name the windows by exactly one of windowIds, groupId or tagId');
    const task = await this.tasks.require(auth, dto.taskId);
    const variables = valuesOf(dto.variables, 'variables');
    const secrets = valuesOf(dto.secrets, 'secrets');
    const both = Object.keys(variables).filter((name) => name in secrets);
    if (both.length > 0) throw new InvalidParamError(`${both.join(', ')} given as both a variable and a secret`);
    if (Object.keys(variables).length + Object.keys(secrets).length > VARIABLES_MAX)
      throw new InvalidParamError(`at most ${VARIABLES_MAX} variables and secrets together`);
    const windows = await this.db.transaction(async (manager) => {
      const targets = await this.pick.targets(manager, auth, dto);
      await this.pick.complete(manager, auth, task, { ...variables, ...secrets }, targets);
      return targets.length;
    });
    const deviceIds = [...new Set(dto.devices)];
    const devices = await Promise.all(deviceIds.map((id) => this.devices.device(auth, id)));
    return { task, variables, secrets, deviceIds, devices, windows };
  }

  async list(auth: AuthContext, dto: ListRunsDto) {
    const { page, pageSize, offset } = pageOf(dto);
    const [rows, total] = await this.runs.page(auth.teamId, auth.holds('team:manage') ? null : auth.userId, offset, pageSize);
    const counts = await this.runs.counts(rows.map((r) => r.id));
    return { list: rows.map((r) => summary(r, counts.get(r.id) ?? {})), total, page, pageSize };
  }

  async detail(auth: AuthContext, id: string) {
    return this.view(await this.require(auth, id));
  }

  async cancel(auth: AuthContext, id: string) {
    await this.require(auth, id);
    const asked = await this.db.transaction(async (manager) => {
      const run = await this.runs.find(auth.teamId, id, manager, true);
      if (!run || run.status !== 'running') throw new ConflictError(`Run ${id} is not running (it is ${run?.status ?? 'gone'})`);
      const sent = await this.runs.cancel(manager, id);
      for (const window of sent)
        await this.commands.insert(
          manager,
          {
            id: randomUUID(),
            teamId: auth.teamId,
            deviceId: window.deviceId,
            actorId: auth.userId,
            kind: 'cancel',
            windowId: window.windowId,
            windowUuid: window.windowUuid,
          },
          CANCEL_WAIT_MS,
        );
      await this.audit.record(manager, {
        teamId: auth.teamId,
        actorId: run.actorId,
        kind: 'run.canceled',
        data: { runId: id, by: auth.userId },
      });
      await this.webhooks.enqueue(manager, auth.teamId, 'run.finished', {
        runId: id,
        taskId: run.taskId,
        taskName: run.taskName,
        taskVersion: run.taskVersion,
        status: 'canceled',
        counts: (await this.runs.counts([id], manager)).get(id) ?? {},
        startedAt: new Date(run.createdAt).toISOString(),
      });
      return [...new Set(sent.map((w) => w.deviceId))];
    });
    for (const deviceId of asked) await this.bus.publish({ kind: 'device-command', deviceId });
    this.webhooks.sendNow();
    return this.view(await this.require(auth, id));
  }

  async retry(auth: AuthContext, id: string) {
    const run = await this.require(auth, id);
    if (!auth.holds('browser:open')) throw new ForbiddenError('Permission denied: browser:open required to run tasks on windows');
    // Run again with the caller's rights as they stand now: devices they may still drive, windows still in their scope.
    for (const deviceId of run.devices) await this.devices.device(auth, deviceId);
    await this.db.transaction(async (manager) => {
      const locked = await this.runs.find(auth.teamId, id, manager, true);
      if (!locked || locked.status === 'running') throw new ConflictError(`Run ${id} is still running; cancel it or wait for it to end`);
      const again = await this.runs.unfinished(manager, id);
      if (again.length > 0) await this.access.requireWindows(manager, auth, again, 'read');
      if ((await this.runs.retry(manager, id)) === 0) throw new ConflictError(`Run ${id} has no window that did not succeed`);
      await this.audit.record(manager, {
        teamId: auth.teamId,
        actorId: run.actorId,
        kind: 'run.started',
        data: { runId: id, retry: true, by: auth.userId },
      });
    });
    await this.dispatcher.advance(id);
    return this.view(await this.require(auth, id));
  }

  /** The run, if the caller started it or manages the team; anything else is not found. */
  async visible(auth: AuthContext, id: string): Promise<RunRow> {
    return this.require(auth, id);
  }

  private async require(auth: AuthContext, id: string): Promise<RunRow> {
    const run = await this.runs.find(auth.teamId, id);
    if (!run || (run.actorId !== auth.userId && !auth.holds('team:manage'))) throw new NotFoundError(`Run ${id} not found`);
    return run;
  }

  private async view(run: RunRow) {
    const windows = await this.runs.windows(run.id);
    const shots = await this.shots.ofRun(run.id);
    const counts: Record<string, number> = {};
    for (const w of windows) counts[w.status] = (counts[w.status] ?? 0) + 1;
    return {
      ...summary(run, counts),
      windows: windows.map((w) => ({
        ...w,
        startedAt: w.startedAt && new Date(w.startedAt).toISOString(),
        finishedAt: w.finishedAt && new Date(w.finishedAt).toISOString(),
        shots: shots
          .filter((s) => s.windowId === w.windowId)
          .map((s) => ({
            id: s.id,
            step: s.step,
            width: s.width,
            height: s.height,
            size: s.size,
            at: new Date(s.createdAt).toISOString(),
          })),
      })),
    };
  }
}

/** A run as lists show it: never a secret's value, only the names. */
function summary(run: RunRow, counts: Record<string, number>) {
  return {
    id: run.id,
    taskId: run.taskId,
    taskVersion: run.taskVersion,
    taskName: run.taskName,
    status: run.status,
    actorId: run.actorId,
    devices: run.devices,
    concurrency: run.concurrency,
    variables: run.variables,
    secretNames: run.secretNames,
    counts,
    createdAt: new Date(run.createdAt).toISOString(),
    finishedAt: run.finishedAt && new Date(run.finishedAt).toISOString(),
  };
}
