import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The device id that holds a window's lease and signs a profile commit is issued by the cloud: one
 * per login session, one per API token. A client no longer names its own device, so a member
 * cannot commit or close as a device the cloud gave to someone else.
 */
export class IssuedDevices1763900000085 implements MigrationInterface {
  name = 'IssuedDevices1763900000085';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['auth_sessions', 'api_tokens']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN device_id varchar(100)`);
      await q.query(`UPDATE ${table} SET device_id = 'dev-' || gen_random_uuid()`);
      await q.query(`ALTER TABLE ${table} ALTER COLUMN device_id SET NOT NULL`);
    }
    // A login may take over the device of an earlier session of its user (which then ends): one live session per device.
    await q.query(`CREATE UNIQUE INDEX auth_sessions_live_device ON auth_sessions (device_id) WHERE revoked_at IS NULL`);
    await q.query(`CREATE INDEX auth_sessions_device ON auth_sessions (user_id, device_id)`);
    await q.query(`CREATE UNIQUE INDEX api_tokens_device ON api_tokens (device_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['auth_sessions', 'api_tokens']) await q.query(`ALTER TABLE ${table} DROP COLUMN device_id`);
  }
}
