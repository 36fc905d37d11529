import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A user's auth version: moved, in the transaction that makes the change, by everything that
 * changes who may call as them — a session or API token revoked, role, permissions or scope
 * changed, groups added or removed (a group's deletion included, through its cascade). Each
 * instance checks a remembered caller against it on every call, so a change is in force on every
 * instance once it commits. Triggers rather than application code so no path (a cascade, a future
 * endpoint) can change access and forget to move it.
 */
export class AuthVersion1763900000060 implements MigrationInterface {
  name = 'AuthVersion1763900000060';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN auth_version bigint NOT NULL DEFAULT 0`);
    await q.query(`
      CREATE FUNCTION cos_bump_auth_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE users SET auth_version = auth_version + 1
        WHERE id = (CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION cos_user_access_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.auth_version := OLD.auth_version + 1;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER auth_sessions_revoked AFTER UPDATE OF revoked_at ON auth_sessions
      FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
      EXECUTE FUNCTION cos_bump_auth_version()`);
    await q.query(`
      CREATE TRIGGER api_tokens_revoked AFTER UPDATE OF revoked_at ON api_tokens
      FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
      EXECUTE FUNCTION cos_bump_auth_version()`);
    await q.query(`
      CREATE TRIGGER member_groups_changed AFTER INSERT OR DELETE ON member_groups
      FOR EACH ROW EXECUTE FUNCTION cos_bump_auth_version()`);
    await q.query(`
      CREATE TRIGGER users_access_changed BEFORE UPDATE ON users
      FOR EACH ROW WHEN (
        OLD.role IS DISTINCT FROM NEW.role OR OLD.permissions IS DISTINCT FROM NEW.permissions
        OR OLD.scope IS DISTINCT FROM NEW.scope OR OLD.team_id IS DISTINCT FROM NEW.team_id)
      EXECUTE FUNCTION cos_user_access_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER users_access_changed ON users`);
    await q.query(`DROP TRIGGER member_groups_changed ON member_groups`);
    await q.query(`DROP TRIGGER api_tokens_revoked ON api_tokens`);
    await q.query(`DROP TRIGGER auth_sessions_revoked ON auth_sessions`);
    await q.query(`DROP FUNCTION cos_user_access_changed()`);
    await q.query(`DROP FUNCTION cos_bump_auth_version()`);
    await q.query(`ALTER TABLE users DROP COLUMN auth_version`);
  }
}
