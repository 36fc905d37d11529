import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { DEVICE_LINE_MESSAGE_MAX, DomainError, fillVariables, ORDER_SECRETS_MAX, parseSteps, stepVariables } from '@cos/contracts';
import type { RunOrder } from '@cos/contracts';
import { AuditLog } from '../audit/audit-log';
import { ClusterBus } from '../cluster/cluster-bus';
import { CloudConfig } from '../config/cloud-config';
import { SecretBox } from '../crypto/secret-box';
import { CommandStore } from '../devices/command-store';
import { VariablesService, WindowValues } from '../variables/variables.service';
import { WebhookOutbox } from '../webhooks/webhook-outbox';
import { Candidate, RunRow, RunStore } from './run-store';

/** How long a run command waits to be taken by its device (online when it was queued). */
const TAKE_WITHIN_MS = 10 * 60_000;
/** A run order, at most: one line message with room for its envelope. */
const ORDER_MAX = DEVICE_LINE_MESSAGE_MAX - 2 * 1024;

/**
 * Moves a run on: with the run's row locked (one instance at a time decides for a run), sends as
 * many of its waiting window runs as its concurrency and its devices' room allow, each as a `run`
 * command to one device, and finishes the run once nothing is left. A window open on one of the
 * run's devices runs there; one lost with its device waits for that device; the rest go to the
 * least busy online device. Safe to call from any instance at any time.
 */
@Injectable()
export class RunDispatcher {
  private readonly logger = new Logger(RunDispatcher.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly runs: RunStore,
    private readonly commands: CommandStore,
    private readonly box: SecretBox,
    private readonly audit: AuditLog,
    private readonly bus: ClusterBus,
    private readonly config: CloudConfig,
    private readonly webhooks: WebhookOutbox,
    private readonly variables: VariablesService,
  ) {}

  async advance(runId: string): Promise<void> {
    let moved: { woken: string[]; finished: boolean };
    try {
      moved = await this.db.transaction((manager) => this.step(manager, runId));
    } catch (error) {
      // Two runs taking one window at once: the loser's transaction is undone and the sweep tries again.
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') return;
      throw error;
    }
    for (const deviceId of moved.woken) await this.bus.publish({ kind: 'device-command', deviceId });
    if (moved.finished) this.webhooks.sendNow();
  }

  private async step(manager: EntityManager, runId: string): Promise<{ woken: string[]; finished: boolean }> {
    const run = await this.runs.lockRunning(manager, runId);
    if (!run) return { woken: [], finished: false };
    const { running, waiting } = await this.runs.pending(manager, run);
    if (running === 0 && waiting === 0) {
      await this.finish(manager, run);
      return { woken: [], finished: true };
    }
    let room = run.concurrency - running;
    if (room <= 0 || waiting === 0) return { woken: [], finished: false };
    const devices = await this.runs.devices(manager, run.devices, this.config.env.DEVICE_OFFLINE_SECONDS);
    const load = new Map(devices.map((d) => [d.deviceId, d.online ? d.load : Infinity]));
    const perDevice = this.config.env.RUNS_PER_DEVICE;
    const woken = new Set<string>();
    const candidates = await this.runs.candidates(manager, run.id, Math.max(room * 4, 16));
    const runSecrets = run.secrets ? (JSON.parse(this.box.open(run.secrets)) as Record<string, string>) : {};
    const runValues = { ...run.variables, ...runSecrets };
    const stored = await this.variables.forWindows(
      manager,
      run.teamId,
      candidates.map((c) => c.windowId),
      stepVariables(run.steps),
    );
    for (const candidate of candidates) {
      if (room === 0) break;
      const target = this.placeOf(run, candidate, load, perDevice);
      if (target === null) continue;
      if (typeof target === 'object') {
        await this.runs.refuse(manager, run.id, candidate.windowId, target.refused);
        continue;
      }
      const order = this.orderOf(run, runValues, Object.keys(runSecrets), stored.team, stored.windows.get(candidate.windowId)!);
      if ('refused' in order) {
        await this.runs.refuse(manager, run.id, candidate.windowId, order.refused);
        continue;
      }
      const commandId = randomUUID();
      await this.commands.insert(
        manager,
        {
          id: commandId,
          teamId: run.teamId,
          deviceId: target,
          actorId: run.actorId,
          kind: 'run',
          windowId: candidate.windowId,
          windowUuid: candidate.windowUuid,
          payload: this.box.seal(order.text),
        },
        TAKE_WITHIN_MS,
      );
      const secretsUsed = order.secrets.length > 0 ? this.box.seal(JSON.stringify(order.secrets)) : null;
      await this.runs.markSent(manager, run.id, candidate.windowId, target, commandId, secretsUsed);
      load.set(target, load.get(target)! + 1);
      woken.add(target);
      room -= 1;
    }
    return { woken: [...woken], finished: false };
  }

  /**
   * Where a window run goes: a device id, null to wait (its device is offline or full), or a
   * refusal (its window is open on a device that is not the run's).
   */
  private placeOf(run: RunRow, candidate: Candidate, load: Map<string, number>, perDevice: number): string | null | { refused: string } {
    const fixed = candidate.deviceId ?? candidate.openDeviceId;
    if (fixed) {
      if (!load.has(fixed))
        return { refused: `The window is open on device ${fixed}, which is not one of this run's; close it there or run it there` };
      return load.get(fixed)! < perDevice ? fixed : null;
    }
    let best: string | null = null;
    for (const [deviceId, n] of load) if (n < perDevice && (best === null || n < load.get(best)!)) best = deviceId;
    return best;
  }

  /**
   * The run's steps for one window, filled in as the sealed command will carry them: the team's
   * stored values, then the run's own, then the window's (its account is never replaced by a value
   * meant for every window). `secrets` are the stored secret values it was filled with.
   */
  private orderOf(
    run: RunRow,
    runValues: Record<string, string>,
    runSecrets: string[],
    team: WindowValues,
    window: WindowValues,
  ): { text: string; secrets: string[] } | { refused: string } {
    try {
      const values = { ...team.values, ...runValues, ...window.values };
      // The secrets a value was taken from, by where it came from: the window's own, else the run's, else the team's.
      const secret = (name: string) =>
        Object.hasOwn(window.values, name)
          ? window.secrets.includes(name)
          : Object.hasOwn(runValues, name)
            ? runSecrets.includes(name)
            : team.secrets.includes(name);
      const secrets = [
        ...new Set(
          stepVariables(run.steps)
            .filter(secret)
            .map((name) => values[name]),
        ),
      ].filter((v) => v.length > 0);
      // Filled in, the steps are checked again as the device will check them: a value that makes a
      // URL a file or a script's page fails this window here instead of ending the device's line.
      const order: RunOrder = {
        steps: parseSteps(fillVariables(run.steps, values)),
        timeoutMs: run.timeoutMs,
        ...(secrets.length > 0 ? { secrets } : {}),
      };
      if (secrets.length > ORDER_SECRETS_MAX) return { refused: `The steps use more than ${ORDER_SECRETS_MAX} secret values` };
      const text = JSON.stringify(order);
      if (Buffer.byteLength(text) > ORDER_MAX) return { refused: `The steps with their variables filled in are over ${ORDER_MAX} bytes` };
      return { text, secrets };
    } catch (error) {
      if (error instanceof DomainError) return { refused: error.message };
      throw error;
    }
  }

  private async finish(manager: EntityManager, run: RunRow): Promise<void> {
    const counts = (await this.runs.counts([run.id], manager)).get(run.id) ?? {};
    const status = Object.keys(counts).every((s) => s === 'succeeded') ? 'succeeded' : 'failed';
    await this.runs.finish(manager, run.id, status);
    await this.audit.record(manager, {
      teamId: run.teamId,
      actorId: run.actorId,
      kind: 'run.finished',
      data: { runId: run.id, status, counts },
    });
    // Told to the team's endpoints from the same transaction: the run's end and its deliveries commit together.
    await this.webhooks.enqueue(manager, run.teamId, 'run.finished', {
      runId: run.id,
      taskId: run.taskId,
      taskName: run.taskName,
      taskVersion: run.taskVersion,
      status,
      counts,
      startedAt: new Date(run.createdAt).toISOString(),
    });
    this.logger.log(`run ${run.id} ${status}`);
  }
}
