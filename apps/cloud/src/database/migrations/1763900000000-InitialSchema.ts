import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1763900000000 implements MigrationInterface {
  name = 'InitialSchema1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`
      CREATE TABLE teams (
        id serial PRIMARY KEY,
        name varchar(100) NOT NULL,
        window_seq integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE users (
        id serial PRIMARY KEY,
        team_id integer NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        email varchar(254) NOT NULL,
        name varchar(100) NOT NULL DEFAULT '',
        password_hash text NOT NULL,
        role varchar(10) NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
        permissions text[] NOT NULL DEFAULT '{}',
        scope varchar(10) NOT NULL DEFAULT 'all' CHECK (scope IN ('all', 'groups')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON users (lower(email))`);
    await q.query(`CREATE INDEX users_team_idx ON users (team_id)`);
    await q.query(`
      CREATE TABLE auth_sessions (
        id uuid PRIMARY KEY,
        user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        refresh_hash char(64) NOT NULL,
        previous_refresh_hash char(64),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id)`);
    await q.query(`
      CREATE TABLE api_tokens (
        id serial PRIMARY KEY,
        user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        token_hash char(64) NOT NULL UNIQUE,
        token_prefix varchar(20) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX api_tokens_user_idx ON api_tokens (user_id)`);
    await q.query(`
      CREATE TABLE groups (
        id serial PRIMARY KEY,
        team_id integer NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        sort integer NOT NULL DEFAULT 0,
        remark varchar(1000) NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT groups_team_name_key UNIQUE (team_id, name)
      )`);
    await q.query(`
      CREATE TABLE member_groups (
        user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        group_id integer NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        PRIMARY KEY (user_id, group_id)
      )`);
    await q.query(`
      CREATE TABLE tags (
        id serial PRIMARY KEY,
        team_id integer NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        name varchar(50) NOT NULL,
        color varchar(20) NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT tags_team_name_key UNIQUE (team_id, name)
      )`);
    await q.query(`
      CREATE TABLE windows (
        id serial PRIMARY KEY,
        uuid uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
        team_id integer NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        seq integer NOT NULL,
        name varchar(100) NOT NULL,
        group_id integer REFERENCES groups(id) ON DELETE SET NULL,
        remark varchar(1000) NOT NULL DEFAULT '',
        fingerprint jsonb NOT NULL DEFAULT '{}',
        config jsonb NOT NULL DEFAULT '{}',
        proxy_method smallint NOT NULL DEFAULT 2,
        proxy_type varchar(10) NOT NULL DEFAULT 'direct',
        proxy_host varchar(255) NOT NULL DEFAULT '',
        proxy_port integer,
        proxy_username varchar(255) NOT NULL DEFAULT '',
        proxy_password_enc text,
        dynamic_ip_url varchar(2048) NOT NULL DEFAULT '',
        dynamic_ip_channel varchar(100) NOT NULL DEFAULT '',
        is_dynamic_ip_change_ip boolean NOT NULL DEFAULT false,
        refresh_proxy_url varchar(2048) NOT NULL DEFAULT '',
        ip_check_service varchar(100) NOT NULL DEFAULT '',
        enable_socks5_udp boolean NOT NULL DEFAULT false,
        proxy_id integer,
        cookies jsonb NOT NULL DEFAULT '[]',
        profile jsonb,
        open_status varchar(10) NOT NULL DEFAULT 'closed',
        open_device_id varchar(100),
        open_pid integer,
        open_lease_until timestamptz,
        created_by integer REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        deleted_by integer REFERENCES users(id) ON DELETE SET NULL,
        CONSTRAINT windows_team_seq_key UNIQUE (team_id, seq)
      )`);
    // List pages: live windows newest first; the recycle bin most recently deleted first.
    await q.query(`CREATE INDEX windows_live_order_idx ON windows (team_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX windows_live_group_idx ON windows (team_id, group_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX windows_bin_order_idx ON windows (team_id, deleted_at DESC, id DESC) WHERE deleted_at IS NOT NULL`);
    await q.query(`CREATE INDEX windows_name_trgm_idx ON windows USING gin (name gin_trgm_ops)`);
    await q.query(`CREATE INDEX windows_remark_trgm_idx ON windows USING gin (remark gin_trgm_ops)`);
    await q.query(`
      CREATE TABLE window_tags (
        window_id integer NOT NULL REFERENCES windows(id) ON DELETE CASCADE,
        tag_id integer NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
        PRIMARY KEY (window_id, tag_id)
      )`);
    await q.query(`CREATE INDEX window_tags_tag_idx ON window_tags (tag_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['window_tags', 'windows', 'tags', 'member_groups', 'groups', 'api_tokens', 'auth_sessions', 'users', 'teams']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
