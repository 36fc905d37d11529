import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { changed } from '../common/sql';

export interface WebhookRow {
  id: number;
  teamId: number;
  url: string;
  events: string[];
  secret: string;
  previousSecret: string | null;
  previousUntil: Date | null;
  enabled: boolean;
  disabledReason: string | null;
  createdAt: Date;
}

export interface DeliveryRow {
  id: string;
  webhookId: number;
  event: string;
  payload: Record<string, unknown>;
  status: 'pending' | 'delivered' | 'failed' | 'gone';
  attempts: number;
  lastStatus: number | null;
  lastAnswer: string | null;
  lastError: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

const HOOK = `id, team_id AS "teamId", url, events, secret, previous_secret AS "previousSecret", previous_until AS "previousUntil",
  enabled, disabled_reason AS "disabledReason", created_at AS "createdAt"`;
const DELIVERY = `id, webhook_id AS "webhookId", event, payload, status, attempts, last_status AS "lastStatus", last_answer AS "lastAnswer",
  last_error AS "lastError", created_at AS "createdAt", finished_at AS "finishedAt"`;

/** The `webhooks` and `webhook_deliveries` tables, and the team's private-address setting. */
@Injectable()
export class WebhookStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(teamId: number, actorId: number, url: string, events: string[], sealedSecret: string): Promise<WebhookRow> {
    const [row]: WebhookRow[] = await this.db.query(
      `INSERT INTO webhooks (team_id, url, events, secret, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING ${HOOK}`,
      [teamId, url, events, sealedSecret, actorId],
    );
    return row;
  }

  async find(teamId: number, id: number): Promise<WebhookRow | null> {
    const rows: WebhookRow[] = await this.db.query(`SELECT ${HOOK} FROM webhooks WHERE team_id = $1 AND id = $2`, [teamId, id]);
    return rows[0] ?? null;
  }

  list(teamId: number): Promise<WebhookRow[]> {
    return this.db.query(`SELECT ${HOOK} FROM webhooks WHERE team_id = $1 ORDER BY id LIMIT 100`, [teamId]);
  }

  count(teamId: number): Promise<number> {
    return this.db.query(`SELECT count(*)::integer AS n FROM webhooks WHERE team_id = $1`, [teamId]).then((r: { n: number }[]) => r[0].n);
  }

  async update(teamId: number, id: number, fields: { url?: string; events?: string[]; enabled?: boolean }): Promise<WebhookRow | null> {
    const rows: WebhookRow[] = await this.db.query(
      changed`UPDATE webhooks SET url = coalesce($3, url), events = coalesce($4, events), enabled = coalesce($5, enabled),
         disabled_reason = CASE WHEN coalesce($5, enabled) THEN NULL ELSE disabled_reason END
       WHERE team_id = $1 AND id = $2 RETURNING ${HOOK}`,
      [teamId, id, fields.url ?? null, fields.events ?? null, fields.enabled ?? null],
    );
    return rows[0] ?? null;
  }

  /** A new secret; the one it replaces still signs (beside it) for `keepSeconds`. */
  async rotate(teamId: number, id: number, sealedSecret: string, keepSeconds: number): Promise<WebhookRow | null> {
    const rows: WebhookRow[] = await this.db.query(
      changed`UPDATE webhooks SET previous_secret = secret, previous_until = now() + make_interval(secs => $4), secret = $3
       WHERE team_id = $1 AND id = $2 RETURNING ${HOOK}`,
      [teamId, id, sealedSecret, keepSeconds],
    );
    return rows[0] ?? null;
  }

  async delete(teamId: number, id: number): Promise<boolean> {
    const rows: unknown[] = await this.db.query(changed`DELETE FROM webhooks WHERE team_id = $1 AND id = $2 RETURNING 1`, [teamId, id]);
    return rows.length > 0;
  }

  async disable(id: number, reason: string): Promise<void> {
    await this.db.query(`UPDATE webhooks SET enabled = false, disabled_reason = $2 WHERE id = $1`, [id, reason]);
  }

  /** The team's enabled webhooks that take `event`, in the caller's transaction. */
  subscribed(manager: EntityManager, teamId: number, event: string): Promise<{ id: number }[]> {
    return manager.query(`SELECT id FROM webhooks WHERE team_id = $1 AND enabled AND $2 = ANY(events)`, [teamId, event]);
  }

  async addDelivery(manager: EntityManager, id: string, webhookId: number, event: string, payload: object): Promise<void> {
    await manager.query(`INSERT INTO webhook_deliveries (id, webhook_id, event, payload) VALUES ($1, $2, $3, $4::jsonb)`, [
      id,
      webhookId,
      event,
      JSON.stringify(payload),
    ]);
  }

  /** A pending delivery with its webhook and the team's setting; null when there is nothing to send. */
  async pending(id: string): Promise<{ delivery: DeliveryRow; hook: WebhookRow; allowPrivate: boolean } | null> {
    const rows: (DeliveryRow & { hook: WebhookRow; allowPrivate: boolean })[] = await this.db.query(
      `SELECT d.*, (SELECT row_to_json(h) FROM (SELECT ${HOOK} FROM webhooks WHERE id = d."webhookId") h) AS hook,
              t.webhooks_allow_private AS "allowPrivate"
       FROM (SELECT ${DELIVERY} FROM webhook_deliveries WHERE id = $1 AND status = 'pending') d
       JOIN webhooks w ON w.id = d."webhookId" JOIN teams t ON t.id = w.team_id`,
      [id],
    );
    const row = rows[0];
    if (!row) return null;
    const { hook, allowPrivate, ...delivery } = row;
    return { delivery, hook, allowPrivate };
  }

  async attempted(
    id: string,
    outcome: { status: DeliveryRow['status']; lastStatus: number | null; lastAnswer: string | null; lastError: string | null },
  ): Promise<void> {
    await this.db.query(
      `UPDATE webhook_deliveries SET attempts = attempts + 1, status = $2::varchar, last_status = $3, last_answer = $4, last_error = $5,
         finished_at = CASE WHEN $2::varchar = 'pending' THEN NULL ELSE now() END
       WHERE id = $1 AND status = 'pending'`,
      [id, outcome.status, outcome.lastStatus, outcome.lastAnswer?.slice(0, 1000) ?? null, outcome.lastError?.slice(0, 500) ?? null],
    );
  }

  deliveries(webhookId: number, take: number): Promise<DeliveryRow[]> {
    return this.db.query(`SELECT ${DELIVERY} FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY created_at DESC LIMIT $2`, [
      webhookId,
      take,
    ]);
  }

  async allowPrivate(teamId: number): Promise<boolean> {
    const [row]: { allow: boolean }[] = await this.db.query(`SELECT webhooks_allow_private AS allow FROM teams WHERE id = $1`, [teamId]);
    return row?.allow ?? false;
  }

  async setAllowPrivate(teamId: number, allow: boolean): Promise<void> {
    await this.db.query(`UPDATE teams SET webhooks_allow_private = $2 WHERE id = $1`, [teamId, allow]);
  }
}
