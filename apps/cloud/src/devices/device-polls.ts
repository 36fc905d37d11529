import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError, ResultCode } from '@cos/contracts';
import type { DeviceCommand } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { ClusterBus } from '../cluster/cluster-bus';
import { CloudConfig } from '../config/cloud-config';
import { DevicePresence } from './device-presence';
import { PerUserCount } from './per-user-count';
import { DeviceAnswerDto, DevicePollDto } from './dto/device.dto';

const DEFAULT_WAIT_MS = 20_000;

/**
 * The device line as long-polls, for agents whose proxy drops WebSocket upgrades: each poll is the
 * hello and the heartbeat of the line the agent names, answers at once with the commands queued
 * for the device (claimed for that line), or waits up to `waitMs` for one. A poll whose client
 * has gone claims nothing. Answers come back through `/device/line/answer`.
 */
@Injectable()
export class DevicePolls implements BeforeApplicationShutdown {
  private readonly wakers = new Map<string, Set<() => void>>();
  private readonly perUser = new PerUserCount();
  private stopping = false;

  constructor(
    private readonly presence: DevicePresence,
    private readonly config: CloudConfig,
    bus: ClusterBus,
  ) {
    bus.subscribe((event) => {
      if (event.kind === 'device-command') for (const wake of this.wakers.get(event.deviceId) ?? []) wake();
    });
  }

  /** Waiting polls are answered (empty) before the HTTP server closes, which waits for them. */
  beforeApplicationShutdown(): void {
    this.stopping = true;
    for (const wakers of [...this.wakers.values()]) for (const wake of [...wakers]) wake();
  }

  async poll(
    auth: AuthContext,
    dto: DevicePollDto,
    request: Request,
  ): Promise<{ deviceId: string; heartbeatMs: number; commands: DeviceCommand[] }> {
    const answer = (commands: DeviceCommand[]) => ({ deviceId: auth.deviceId, heartbeatMs: this.presence.heartbeatMs, commands });
    if (!(await this.presence.heard(auth, dto.line, dto.hello.capacity)))
      await this.presence.hello(auth, dto.line, { type: 'hello', ...dto.hello });
    let commands = await this.take(auth, dto.line, request);
    const waitMs = dto.waitMs ?? DEFAULT_WAIT_MS;
    if (commands.length > 0 || waitMs === 0 || this.stopping) return answer(commands);
    const max = this.config.env.DEVICE_LINES_PER_USER;
    if (!this.perUser.take(auth.userId, max))
      throw new DomainError(ResultCode.Throttled, `Too many device polls waiting for this user (at most ${max})`, { limit: max });
    try {
      await this.until(auth.deviceId, waitMs, request);
    } finally {
      this.perUser.give(auth.userId);
    }
    // Nobody is there to hand a command to: it stays queued for the next poll.
    if (request.socket.destroyed) return answer([]);
    commands = await this.take(auth, dto.line, request);
    return answer(commands);
  }

  async answer(auth: AuthContext, dto: DeviceAnswerDto): Promise<{ recorded: boolean }> {
    const { commandId, code, msg, data } = dto.answer;
    return { recorded: await this.presence.answer(auth, dto.line, commandId.toLowerCase(), { code, msg, data }) };
  }

  private async take(auth: AuthContext, line: string, request: Request): Promise<DeviceCommand[]> {
    const claimed = await this.presence.claim(auth, line, await this.presence.inFlight(line));
    if (request.socket.destroyed) {
      // The poller left while they were claimed: queued again for its next poll.
      await this.presence.requeue(
        auth,
        claimed.map((c) => c.commandId),
      );
      return [];
    }
    return claimed;
  }

  /** Until a command for the device is queued, the client goes, or `waitMs` passes. */
  private until(deviceId: string, waitMs: number, request: Request): Promise<void> {
    return new Promise<void>((resolve) => {
      const wakers = this.wakers.get(deviceId) ?? new Set<() => void>();
      this.wakers.set(deviceId, wakers);
      const done = () => {
        clearTimeout(timer);
        request.socket.off('close', done);
        wakers.delete(done);
        if (wakers.size === 0) this.wakers.delete(deviceId);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      wakers.add(done);
      request.socket.on('close', done);
    });
  }
}
