import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Devices on the line: each agent signed in keeps one WebSocket to some cloud instance, and the
 * row of its issued device says who owns it, what it told of itself and when it was last heard.
 * `line_id` names the line that holds it now (null: none), so an instance that loses a line
 * clears only its own. A device is online while it has a line and was heard within the offline
 * window: an instance that dies leaves its rows to go stale.
 *
 * Commands to devices are kept one row each (what was asked, by whom, for which window, and the
 * device's answer): any instance may take a command, the one holding the device's line sends it
 * (claimed by `status`, so it goes once), and the asking instance reads the answer back.
 */
export class DeviceLines1763900000100 implements MigrationInterface {
  name = 'DeviceLines1763900000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE devices (
        device_id varchar(100) PRIMARY KEY,
        team_id integer NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        hostname varchar(100) NOT NULL,
        platform varchar(40) NOT NULL,
        version varchar(40) NOT NULL,
        capacity jsonb NOT NULL,
        line_id uuid,
        connected_at timestamptz,
        last_seen_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX devices_team_user ON devices (team_id, user_id)`);
    await q.query(`
      CREATE TABLE device_commands (
        id uuid PRIMARY KEY,
        team_id integer NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        device_id varchar(100) NOT NULL REFERENCES devices(device_id) ON DELETE CASCADE,
        actor_id integer,
        kind varchar(20) NOT NULL,
        window_id integer NOT NULL,
        window_uuid uuid NOT NULL,
        status varchar(10) NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'answered', 'expired', 'lost')),
        line_id uuid,
        answer jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        deadline_at timestamptz NOT NULL,
        sent_at timestamptz,
        answered_at timestamptz
      )`);
    await q.query(`CREATE INDEX device_commands_queued ON device_commands (device_id, created_at) WHERE status = 'queued'`);
    await q.query(`CREATE INDEX device_commands_sent ON device_commands (line_id) WHERE status = 'sent'`);
    await q.query(`CREATE INDEX device_commands_age ON device_commands (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE device_commands`);
    await q.query(`DROP TABLE devices`);
  }
}
