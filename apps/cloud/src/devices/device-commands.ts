import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DomainError, NotFoundError, remoteAnswerData, ResultCode } from '@cos/contracts';
import type { DeviceCommandKind, DeviceView } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { AuditLog } from '../audit/audit-log';
import { ClusterBus } from '../cluster/cluster-bus';
import { CloudConfig } from '../config/cloud-config';
import { WindowAccess } from '../windows/window-access';
import { CommandState, CommandStore } from './command-store';
import { DeviceStore } from './device-store';
import type { RemoteWindowDto } from './dto/device.dto';

/** The device cannot be reached now: nothing was done (or, for `lost`, it may have been: `msg` says which). */
export class DeviceUnavailableError extends DomainError {
  constructor(message: string, data: Record<string, unknown>) {
    super(ResultCode.Unavailable, message, data);
  }
}

/** How often a waiting call looks at its command's row, in case the cluster's word about it never came. */
const LOOK_MS = 1_000;
const DEFAULT_WAIT_MS = 120_000;
/** Device answers passed on with their own code; any other is 503 with the device's code in `data.deviceCode`. */
const PASSED_ON = new Set<number>([
  ResultCode.InvalidParam,
  ResultCode.Forbidden,
  ResultCode.NotFound,
  ResultCode.Conflict,
  ResultCode.ActionFailed,
  ResultCode.Throttled,
  ResultCode.Unavailable,
  ResultCode.InsufficientStorage,
]);

/**
 * A member asks a device to open or close a window: checked here (the device is theirs or they
 * manage the team; the window is in their scope), queued as a row, sent by whichever instance
 * holds the device's line, and answered with the device's own answer (the fields that may leave
 * the device). The agent then opens as its owner, so the owner's rights apply as well.
 */
@Injectable()
export class DeviceCommands {
  private readonly waiters = new Map<string, () => void>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly devices: DeviceStore,
    private readonly commands: CommandStore,
    private readonly access: WindowAccess,
    private readonly audit: AuditLog,
    private readonly bus: ClusterBus,
    private readonly config: CloudConfig,
  ) {
    bus.subscribe((event) => {
      if (event.kind === 'device-answer') this.waiters.get(event.commandId)?.();
    });
  }

  /** The device as the caller may see it: their own, or any of the team's with team:manage. */
  async device(auth: AuthContext, deviceId: string): Promise<DeviceView> {
    const device = await this.devices.find(auth.teamId, deviceId, this.config.env.DEVICE_OFFLINE_SECONDS);
    if (!device || (device.userId !== auth.userId && !auth.holds('team:manage'))) throw new NotFoundError(`Device ${deviceId} not found`);
    return device;
  }

  async run(auth: AuthContext, kind: DeviceCommandKind, request: RemoteWindowDto): Promise<Record<string, unknown>> {
    const device = await this.device(auth, request.device);
    const waitMs = request.waitMs ?? DEFAULT_WAIT_MS;
    const about = { device: device.deviceId };
    if (!device.online && (request.ifOffline ?? 'refuse') === 'refuse')
      throw new DeviceUnavailableError(`Device ${device.deviceId} is offline (last seen ${device.lastSeenAt}); nothing was done`, {
        ...about,
        lastSeenAt: device.lastSeenAt,
      });
    const commandId = randomUUID();
    await this.db.transaction(async (manager) => {
      const waiting = await this.commands.queuedFor(manager, device.deviceId);
      const max = this.config.env.DEVICE_COMMANDS_QUEUED_MAX;
      if (waiting >= max)
        throw new DomainError(
          ResultCode.Throttled,
          `Device ${device.deviceId} has ${max} commands waiting already; try again once it takes them`,
          about,
        );
      const window = await this.access.requireWindow(manager, auth, request.windowRef, 'read');
      await this.commands.insert(
        manager,
        {
          id: commandId,
          teamId: auth.teamId,
          deviceId: device.deviceId,
          actorId: auth.userId,
          kind: kind,
          windowId: window.id,
          windowUuid: window.uuid,
        },
        waitMs,
      );
      await this.audit.record(manager, {
        teamId: auth.teamId,
        actorId: auth.userId,
        kind: kind === 'open' ? 'window.remote_open' : 'window.remote_close',
        windowIds: [window.id],
        deviceId: device.deviceId,
        data: { commandId },
      });
    });
    const answered = this.answered(commandId, waitMs);
    await this.bus.publish({ kind: 'device-command', deviceId: device.deviceId });
    const state = await answered;
    const ids = { ...about, commandId };
    if (state.status === 'answered' && state.answer) {
      const { code, msg, data } = state.answer;
      const kept = { ...remoteAnswerData(kind, data), ...ids };
      if (code === 0) return kept;
      // The device's own refusal keeps its code, but never one that would speak for this cloud:
      // a 401 would sign the caller out, a 500 would say the cloud failed.
      if (PASSED_ON.has(code)) throw new DomainError(code as ResultCode, msg, kept);
      throw new DomainError(ResultCode.Unavailable, `Device ${device.deviceId} could not do it (its code ${code}): ${msg}`, {
        ...kept,
        deviceCode: code,
      });
    }
    if (state.status === 'expired')
      throw new DeviceUnavailableError(`Device ${device.deviceId} did not take the command within ${waitMs} ms; nothing was done`, ids);
    if (state.status === 'lost')
      throw new DeviceUnavailableError(
        `Device ${device.deviceId} went offline before it answered; it may have done it (see /device/list and the window's status)`,
        ids,
      );
    throw new DeviceUnavailableError(`Device ${device.deviceId} took the command but did not answer within ${waitMs} ms`, ids);
  }

  /**
   * The command's state once it is answered or lost, or at the deadline: a command still queued
   * then is expired (never sent). Woken by the cluster's word, and looks at the row every second
   * in case that word never came.
   */
  private async answered(commandId: string, waitMs: number): Promise<CommandState> {
    const deadline = Date.now() + waitMs;
    try {
      for (;;) {
        const left = deadline - Date.now();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(0, Math.min(LOOK_MS, left)));
          this.waiters.set(commandId, () => {
            clearTimeout(timer);
            resolve();
          });
        });
        const state = await this.commands.state(commandId);
        if (!state) return { status: 'lost', answer: null };
        if (state.status === 'answered' || state.status === 'lost' || state.status === 'expired') return state;
        if (Date.now() >= deadline) {
          if (state.status === 'queued' && (await this.commands.expire(commandId))) return { status: 'expired', answer: null };
          // Taken by a line at the last moment, or sent and not answered: say so.
          return (await this.commands.state(commandId)) ?? state;
        }
      }
    } finally {
      this.waiters.delete(commandId);
    }
  }
}
