import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Cron } from 'croner';
import { DataSource } from 'typeorm';
import { DomainError, InvalidParamError, NotFoundError, ResultCode } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { AuditLog } from '../audit/audit-log';
import { AuthLoader } from '../auth/auth-loader';
import { pageOf } from '../common/id.decorators';
import { CloudConfig } from '../config/cloud-config';
import { SecretBox } from '../crypto/secret-box';
import { RunsService } from '../runs/runs.service';
import { ListSchedulesDto, SetScheduleDto } from './dto/schedule.dto';
import { ScheduleFields, ScheduleRow, ScheduleStore } from './schedule-store';

/** A tick claimed and not fired within this long is fired again by another instance (under the same run key). */
const STALE_SECONDS = 60;
const DUE_MAX = 20;
/** How long a tick waits for one of its devices to come online before it is given up. */
const DEVICE_WAIT_MS = 10 * 60_000;

/** The next tick of `cron` in `timezone` after `after`; refuses patterns with seconds, unknown zones and patterns that never fire. */
export function nextTick(cron: string, timezone: string, after = new Date()): Date {
  if (cron.trim().split(/\s+/).length !== 5)
    throw new InvalidParamError('cron must have five fields: minute hour day-of-month month day-of-week');
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw new InvalidParamError(`timezone ${timezone.slice(0, 64)} is not an IANA time zone`);
  }
  let next: Date | null;
  try {
    next = new Cron(cron, { timezone, paused: true }).nextRun(after);
  } catch (error) {
    throw new InvalidParamError(`cron: ${(error as Error).message}`);
  }
  if (!next) throw new InvalidParamError('cron never fires');
  return next;
}

/**
 * Schedules: `/schedule/set|list|delete`, and the ticker every instance runs. A tick is claimed by
 * compare-and-set on `next_at` (one instance wins it), then fired as a run started as the member
 * who set it — their rights as they stand then — with the key `schedule:ID:TICK`, so a tick fired
 * twice (an instance that died after claiming it, taken over) is still one run. Ticks missed while
 * no instance ran fire once, for the latest of them.
 */
@Injectable()
export class SchedulesService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SchedulesService.name);
  private ticker?: NodeJS.Timeout;
  private ticking = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly schedules: ScheduleStore,
    private readonly runs: RunsService,
    private readonly loader: AuthLoader,
    private readonly box: SecretBox,
    private readonly audit: AuditLog,
    private readonly config: CloudConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.ticker = setInterval(() => void this.tick(), this.config.env.SCHEDULE_TICK_MS);
    this.ticker.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.ticker);
  }

  async set(auth: AuthContext, dto: SetScheduleDto) {
    const nextAt = nextTick(dto.cron, dto.timezone);
    const earlier = dto.id === undefined ? null : await this.require(auth, dto.id);
    // What the run would refuse is refused now, when the member is there to read it.
    await this.runs.check(auth, dto);
    const secrets = (dto.secrets ?? {}) as Record<string, string>;
    const fields: ScheduleFields = {
      teamId: auth.teamId,
      taskId: dto.taskId,
      actorId: earlier?.actorId ?? auth.userId,
      cron: dto.cron.trim(),
      timezone: dto.timezone,
      target: dto.windowIds ? { windowIds: dto.windowIds } : dto.groupId !== undefined ? { groupId: dto.groupId } : { tagId: dto.tagId },
      devices: [...new Set(dto.devices)],
      concurrency: dto.concurrency ?? 1,
      variables: (dto.variables ?? {}) as Record<string, string>,
      secrets: Object.keys(secrets).length > 0 ? this.box.seal(JSON.stringify(secrets)) : null,
      secretNames: Object.keys(secrets),
      enabled: dto.enabled ?? true,
    };
    const row = earlier ? await this.schedules.update(earlier.id, fields, nextAt) : await this.schedules.insert(fields, nextAt);
    if (!row) throw new NotFoundError(`Schedule ${dto.id} not found`);
    await this.db.transaction((manager) =>
      this.audit.record(manager, {
        teamId: auth.teamId,
        actorId: row.actorId,
        kind: 'schedule.set',
        data: { scheduleId: row.id, by: auth.userId },
      }),
    );
    return view(row);
  }

  async list(auth: AuthContext, dto: ListSchedulesDto) {
    const { page, pageSize, offset } = pageOf(dto);
    const [rows, total] = await this.schedules.page(auth.teamId, auth.holds('team:manage') ? null : auth.userId, offset, pageSize);
    return { list: rows.map(view), total, page, pageSize };
  }

  async delete(auth: AuthContext, id: number): Promise<void> {
    const row = await this.require(auth, id);
    if (!(await this.schedules.delete(auth.teamId, id))) throw new NotFoundError(`Schedule ${id} not found`);
    await this.db.transaction((manager) =>
      this.audit.record(manager, {
        teamId: auth.teamId,
        actorId: row.actorId,
        kind: 'schedule.deleted',
        data: { scheduleId: id, by: auth.userId },
      }),
    );
  }

  /** Claims and fires what is due; one tick at a time per instance. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      for (const due of await this.schedules.due(DUE_MAX, STALE_SECONDS)) {
        if (!due.retake && !(await this.schedules.claim(due.id, due.tick, this.following(due)))) continue;
        await this.fire(due, due.tick);
      }
    } catch (error) {
      this.logger.warn(`schedules not looked at: ${(error as Error).message}`);
    } finally {
      this.ticking = false;
    }
  }

  /** The tick after now (a pattern that no longer parses stops the schedule at a far date; its error says why). */
  private following(row: ScheduleRow): Date {
    try {
      return nextTick(row.cron, row.timezone);
    } catch {
      return new Date('9999-01-01T00:00:00Z');
    }
  }

  private async fire(row: ScheduleRow, tick: string): Promise<void> {
    const tickIso = new Date(tick).toISOString();
    try {
      const auth = await this.loader.forMember(row.actorId, row.teamId, `schedule-${row.id}`);
      if (!auth) throw new NotFoundError('The member who set the schedule is no longer in the team');
      const run = await this.runs.start(auth, {
        taskId: row.taskId,
        ...row.target,
        devices: row.devices,
        concurrency: row.concurrency,
        variables: row.variables,
        secrets: row.secrets ? (JSON.parse(this.box.open(row.secrets)) as Record<string, string>) : undefined,
        idempotencyKey: `schedule:${row.id}:${tickIso}`,
      });
      await this.schedules.fired(row.id, tick, run.id, null);
    } catch (error) {
      const message = error instanceof DomainError ? `${error.message} (code ${error.code})` : (error as Error).message;
      // No device online yet (a restart brings the cloud back before its agents): the tick is tried
      // again every STALE_SECONDS for DEVICE_WAIT_MS, then given up.
      if (error instanceof DomainError && error.code === ResultCode.Unavailable && Date.now() - Date.parse(tickIso) < DEVICE_WAIT_MS) {
        await this.schedules.waiting(row.id, tick, `waiting for a device: ${message}`).catch(() => undefined);
        return;
      }
      this.logger.warn(`schedule ${row.id} tick ${tickIso} not run: ${message}`);
      await this.schedules.fired(row.id, tick, null, message).catch(() => undefined);
    }
  }

  private async require(auth: AuthContext, id: number): Promise<ScheduleRow> {
    const row = await this.schedules.find(auth.teamId, id);
    if (!row || (row.actorId !== auth.userId && !auth.holds('team:manage'))) throw new NotFoundError(`Schedule ${id} not found`);
    return row;
  }
}

function view(row: ScheduleRow) {
  const { secrets: _sealed, ...shown } = row;
  void _sealed;
  return {
    ...shown,
    nextAt: new Date(row.nextAt).toISOString(),
    lastFiredAt: row.lastFiredAt && new Date(row.lastFiredAt).toISOString(),
  };
}
