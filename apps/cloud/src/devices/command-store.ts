import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { changed } from '../common/sql';
import type { ApiEnvelope, DeviceCommand, DeviceCommandKind, RunOrder } from '@cos/contracts';

export type CommandStatus = 'queued' | 'sent' | 'answered' | 'expired' | 'lost';

export interface QueuedCommand {
  id: string;
  kind: DeviceCommandKind;
  windowId: number;
  windowUuid: string;
  /** Milliseconds left until the caller stops waiting, by the database's clock. */
  expiresInMs: number;
  /** A run's order, sealed at rest (it holds the run's secrets, filled in). */
  payload: string | null;
}

/** The line message for a claimed command; `run` is its order, opened by the caller. */
export function commandMessage(command: QueuedCommand, run?: RunOrder): DeviceCommand {
  return {
    type: 'command',
    commandId: command.id,
    kind: command.kind,
    window: { id: command.windowId, uuid: command.windowUuid },
    expiresInMs: command.expiresInMs,
    ...(run ? { run } : {}),
  };
}

export interface CommandState {
  status: CommandStatus;
  answer: ApiEnvelope | null;
}

/** The `device_commands` table: one row per command, claimed by its status so it is sent once. */
@Injectable()
export class CommandStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(
    manager: EntityManager,
    command: {
      id: string;
      teamId: number;
      deviceId: string;
      actorId: number;
      kind: DeviceCommandKind;
      windowId: number;
      windowUuid: string;
      payload?: string | null;
    },
    waitMs: number,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO device_commands (id, team_id, device_id, actor_id, kind, window_id, window_uuid, deadline_at, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8::double precision / 1000), $9)`,
      [
        command.id,
        command.teamId,
        command.deviceId,
        command.actorId,
        command.kind,
        command.windowId,
        command.windowUuid,
        waitMs,
        command.payload ?? null,
      ],
    );
  }

  /** Commands queued for the device and not taken yet (the row of the device is locked first, so callers count one after another). */
  async queuedFor(manager: EntityManager, deviceId: string): Promise<number> {
    await manager.query(`SELECT 1 FROM devices WHERE device_id = $1 FOR UPDATE`, [deviceId]);
    const [row]: { n: number }[] = await manager.query(
      `SELECT count(*)::integer AS n FROM device_commands WHERE device_id = $1 AND status IN ('queued', 'sent') AND deadline_at > now()`,
      [deviceId],
    );
    return row.n;
  }

  /** Takes up to `limit` of the device's queued commands still awaited, oldest first, for the line `lineId` to send. */
  async claim(deviceId: string, lineId: string, limit: number): Promise<QueuedCommand[]> {
    if (limit <= 0) return [];
    const rows: {
      id: string;
      kind: DeviceCommandKind;
      window_id: number;
      window_uuid: string;
      expires_in_ms: number;
      created_at: Date;
      payload: string | null;
    }[] = await this.db.query(
      changed`UPDATE device_commands c SET status = 'sent', sent_at = now(), line_id = $2
        WHERE c.id IN (SELECT id FROM device_commands
                        WHERE device_id = $1 AND status = 'queued' AND deadline_at > now()
                        ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING c.id, c.kind, c.window_id, c.window_uuid,
                  floor(extract(epoch FROM (c.deadline_at - now())) * 1000)::integer AS expires_in_ms, c.created_at, c.payload
        `,
      [deviceId, lineId, limit],
    );
    // UPDATE … RETURNING keeps no order: the oldest goes first.
    return rows
      .sort((a, b) => a.created_at.getTime() - b.created_at.getTime())
      .map((r) => ({
        id: r.id,
        kind: r.kind,
        windowId: r.window_id,
        windowUuid: r.window_uuid,
        expiresInMs: Math.max(0, r.expires_in_ms),
        payload: r.payload,
      }));
  }

  /** Records the device's answer; false unless the command was sent to this device on this line and not answered yet. */
  async answer(id: string, deviceId: string, lineId: string, answer: ApiEnvelope): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      changed`UPDATE device_commands SET status = 'answered', answer = $4::jsonb, answered_at = now()
        WHERE id = $1 AND device_id = $2 AND line_id = $3 AND status = 'sent' RETURNING 1`,
      [id, deviceId, lineId, JSON.stringify(answer)],
    );
    return rows.length > 0;
  }

  /** A command still queued at its deadline is not sent at all; false when a line took it first. */
  async expire(id: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      changed`UPDATE device_commands SET status = 'expired' WHERE id = $1 AND status = 'queued' RETURNING 1`,
      [id],
    );
    return rows.length > 0;
  }

  /** Claimed and never delivered: back in the queue (still bound by their deadline). */
  async requeue(ids: string[]): Promise<void> {
    await this.db.query(
      `UPDATE device_commands SET status = 'queued', sent_at = NULL, line_id = NULL WHERE id = ANY($1::uuid[]) AND status = 'sent'`,
      [ids],
    );
  }

  /**
   * Commands sent on the device's earlier lines and never answered: a new line means those are
   * gone (an instance that died took their ends with it), so they are lost, not waited for.
   */
  async lostElsewhere(manager: EntityManager, deviceId: string, lineId: string): Promise<string[]> {
    const rows: { id: string }[] = await manager.query(
      changed`UPDATE device_commands SET status = 'lost' WHERE device_id = $1 AND status = 'sent' AND line_id <> $2 RETURNING id`,
      [deviceId, lineId],
    );
    return rows.map((r) => r.id);
  }

  /** Commands a line sent and lost before their answer: the device may have run them. */
  async lostWith(lineId: string, manager: EntityManager = this.db.manager): Promise<string[]> {
    const rows: { id: string }[] = await manager.query(
      changed`UPDATE device_commands SET status = 'lost' WHERE line_id = $1 AND status = 'sent' RETURNING id`,
      [lineId],
    );
    return rows.map((r) => r.id);
  }

  async state(id: string): Promise<CommandState | null> {
    const [row]: { status: CommandStatus; answer: ApiEnvelope | null }[] = await this.db.query(
      `SELECT status, answer FROM device_commands WHERE id = $1`,
      [id],
    );
    return row ?? null;
  }

  async inFlight(lineId: string): Promise<number> {
    const [row]: { n: number }[] = await this.db.query(
      `SELECT count(*)::integer AS n FROM device_commands WHERE line_id = $1 AND status = 'sent'`,
      [lineId],
    );
    return row.n;
  }

  /** Forgets commands older than `days` (their audit rows stay). */
  async sweep(days: number): Promise<number> {
    const rows: unknown[] = await this.db.query(
      changed`DELETE FROM device_commands WHERE created_at < now() - make_interval(days => $1) RETURNING 1`,
      [days],
    );
    return rows.length;
  }
}
