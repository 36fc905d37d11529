import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AgentLineMessage, ApiEnvelope, DeviceCommand, RunOrder } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { AuditLog } from '../audit/audit-log';
import { ClusterBus } from '../cluster/cluster-bus';
import { CloudConfig } from '../config/cloud-config';
import { SecretBox } from '../crypto/secret-box';
import { commandMessage, CommandStore } from './command-store';
import { DeviceStore } from './device-store';

type Hello = Extract<AgentLineMessage, { type: 'hello' }>;

/** Commands older than this are forgotten (their audit rows stay). */
const COMMANDS_KEPT_DAYS = 7;

/**
 * What both transports of the device line (WebSocket, long-poll) record: a line taking its device
 * (with `device.online` when it was offline), heartbeats, answers, a line's end (with
 * `device.offline`), and the sweep that marks devices whose line went silent offline — a dead
 * instance's lines and a poller that stopped polling included. Every instance sweeps; each stale
 * row is taken by one of them.
 */
@Injectable()
export class DevicePresence implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DevicePresence.name);
  private sweeper?: NodeJS.Timeout;
  private lastCommandSweep = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly devices: DeviceStore,
    private readonly commands: CommandStore,
    private readonly bus: ClusterBus,
    private readonly box: SecretBox,
    private readonly audit: AuditLog,
    private readonly config: CloudConfig,
  ) {}

  get offlineSeconds(): number {
    return this.config.env.DEVICE_OFFLINE_SECONDS;
  }

  get heartbeatMs(): number {
    return this.config.env.DEVICE_HEARTBEAT_SECONDS * 1000;
  }

  onApplicationBootstrap(): void {
    this.sweeper = setInterval(() => void this.sweep(), this.heartbeatMs);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  /** The line `lineId` holds the caller's device from now on. */
  async hello(auth: AuthContext, lineId: string, hello: Hello): Promise<void> {
    const lost = await this.db.transaction(async (manager) => {
      const { wasOnline } = await this.devices.connected(
        manager,
        { deviceId: auth.deviceId, teamId: auth.teamId, userId: auth.userId, lineId, ...hello },
        this.offlineSeconds,
      );
      if (!wasOnline)
        await this.audit.record(manager, {
          teamId: auth.teamId,
          actorId: auth.userId,
          kind: 'device.online',
          deviceId: auth.deviceId,
          data: { hostname: hello.hostname, version: hello.version },
        });
      return this.commands.lostElsewhere(manager, auth.deviceId, lineId);
    });
    // Their waiters (and a run's window) learn it now, not never.
    for (const commandId of lost) await this.bus.publish({ kind: 'device-answer', commandId });
  }

  /** A heartbeat: false when another line holds the device now. */
  heard(auth: AuthContext, lineId: string, capacity: Hello['capacity']): Promise<boolean> {
    return this.devices.heard(auth.deviceId, lineId, capacity);
  }

  /** Records an answer sent on `lineId` and wakes its waiter; false for one this line was never sent (or already answered). */
  async answer(auth: AuthContext, lineId: string, commandId: string, answer: ApiEnvelope): Promise<boolean> {
    if (!(await this.commands.answer(commandId, auth.deviceId, lineId, answer))) return false;
    await this.bus.publish({ kind: 'device-answer', commandId });
    return true;
  }

  /** Takes up to the in-flight room of the device's queued commands for `lineId` to deliver, as line messages. */
  async claim(auth: AuthContext, lineId: string, inFlight: number): Promise<DeviceCommand[]> {
    const claimed = await this.commands.claim(auth.deviceId, lineId, this.config.env.DEVICE_COMMANDS_IN_FLIGHT - inFlight);
    return claimed.map((c) => commandMessage(c, c.payload ? (JSON.parse(this.box.open(c.payload)) as RunOrder) : undefined));
  }

  /** Commands claimed for a line that could not deliver them: queued again, for the next line or poll. */
  async requeue(auth: AuthContext, commandIds: string[]): Promise<void> {
    if (commandIds.length === 0) return;
    await this.commands.requeue(commandIds);
    await this.bus.publish({ kind: 'device-command', deviceId: auth.deviceId });
  }

  inFlight(lineId: string): Promise<number> {
    return this.commands.inFlight(lineId);
  }

  /** The line ended: what it was sent and did not answer is lost; the device is offline unless a newer line holds it. */
  async gone(auth: AuthContext, lineId: string, reason: string): Promise<void> {
    // Offline and its commands lost in one transaction, told after it commits: a run that hears of
    // the loss finds the device offline, and never sends the window run again down the line that went.
    const lost = await this.db.transaction(async (manager) => {
      if (await this.devices.disconnected(manager, auth.deviceId, lineId))
        await this.audit.record(manager, {
          teamId: auth.teamId,
          actorId: auth.userId,
          kind: 'device.offline',
          deviceId: auth.deviceId,
          data: { reason },
        });
      return this.commands.lostWith(lineId, manager);
    });
    for (const commandId of lost) await this.bus.publish({ kind: 'device-answer', commandId });
  }

  /** Devices whose line went silent past the offline window: offline, their unanswered commands lost. */
  private async sweep(): Promise<void> {
    try {
      // Everything in the transaction goes through its manager: the embedded database has one
      // connection, which the transaction holds. The waiters hear of lost commands once it commits.
      const lost = await this.db.transaction(async (manager) => {
        const stale = await this.devices.releaseStale(manager, this.offlineSeconds);
        const commandIds: string[] = [];
        for (const device of stale) {
          await this.audit.record(manager, {
            teamId: device.teamId,
            actorId: device.userId,
            kind: 'device.offline',
            deviceId: device.deviceId,
            data: { reason: 'nothing heard' },
          });
          commandIds.push(...(await this.commands.lostWith(device.lineId, manager)));
        }
        return commandIds;
      });
      for (const commandId of lost) await this.bus.publish({ kind: 'device-answer', commandId });
      if (Date.now() - this.lastCommandSweep > 3_600_000) {
        this.lastCommandSweep = Date.now();
        await this.commands.sweep(COMMANDS_KEPT_DAYS);
      }
    } catch (error) {
      this.logger.warn(`device sweep failed: ${(error as Error).message}`);
    }
  }
}
