import { MigrationInterface, QueryRunner } from 'typeorm';

/** Saved team proxies, which windows bind with proxyMethod 4; one in use cannot be deleted. */
export class SavedProxies1763900000002 implements MigrationInterface {
  name = 'SavedProxies1763900000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE proxies (
        id serial PRIMARY KEY,
        team_id integer NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        proxy_type varchar(10) NOT NULL,
        host varchar(255) NOT NULL,
        port integer NOT NULL,
        username varchar(255) NOT NULL DEFAULT '',
        password_enc text,
        remark varchar(1000) NOT NULL DEFAULT '',
        check_status varchar(10) NOT NULL DEFAULT 'unchecked',
        check_ip varchar(64) NOT NULL DEFAULT '',
        check_country varchar(8) NOT NULL DEFAULT '',
        check_timezone varchar(64) NOT NULL DEFAULT '',
        check_message varchar(500) NOT NULL DEFAULT '',
        checked_at timestamptz,
        created_by integer REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT proxies_type_check CHECK (proxy_type IN ('http', 'https', 'socks5', 'ssh')),
        CONSTRAINT proxies_port_check CHECK (port BETWEEN 1 AND 65535)
      )`);
    await q.query(`CREATE UNIQUE INDEX proxies_team_name_idx ON proxies (team_id, name)`);
    // Windows of other teams can never point at a team's proxy: the service checks the team, the key the existence.
    await q.query(`UPDATE windows SET proxy_id = NULL WHERE proxy_id IS NOT NULL`);
    await q.query(`ALTER TABLE windows ADD CONSTRAINT windows_proxy_fk FOREIGN KEY (proxy_id) REFERENCES proxies(id) ON DELETE RESTRICT`);
    await q.query(`CREATE INDEX windows_proxy_idx ON windows (proxy_id) WHERE proxy_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX windows_proxy_idx`);
    await q.query(`ALTER TABLE windows DROP CONSTRAINT windows_proxy_fk`);
    await q.query(`DROP TABLE proxies`);
  }
}
