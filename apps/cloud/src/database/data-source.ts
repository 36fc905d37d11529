import type { ClientBase, ClientConfig, PoolConfig } from 'pg';
import type { DataSourceOptions } from 'typeorm';
import { InitialSchema1763900000000 } from './migrations/1763900000000-InitialSchema';
import { WindowCounts1763900000001 } from './migrations/1763900000001-WindowCounts';
import { SavedProxies1763900000002 } from './migrations/1763900000002-SavedProxies';
import { SharedThrottle1763900000003 } from './migrations/1763900000003-SharedThrottle';
import { AuditEvents1763900000004 } from './migrations/1763900000004-AuditEvents';
import { ProfileVersions1763900000005 } from './migrations/1763900000005-ProfileVersions';
import { CookiesEpoch1763900000050 } from './migrations/1763900000050-CookiesEpoch';
import { ListVersions1763900000006 } from './migrations/1763900000006-ListVersions';
import { AuthVersion1763900000060 } from './migrations/1763900000060-AuthVersion';
import { TokenLineage1763900000061 } from './migrations/1763900000061-TokenLineage';
import { LoginAddresses1763900000062 } from './migrations/1763900000062-LoginAddresses';
import { IssuedDevices1763900000085 } from './migrations/1763900000085-IssuedDevices';
import { VersionAuthors1763900000086 } from './migrations/1763900000086-VersionAuthors';
import { ProfileBlobLinks1763900000090 } from './migrations/1763900000090-ProfileBlobLinks';
import { DeviceLines1763900000100 } from './migrations/1763900000100-DeviceLines';
import { TasksRuns1763900000110 } from './migrations/1763900000110-TasksRuns';
import { Schedules1763900000120 } from './migrations/1763900000120-Schedules';
import { Webhooks1763900000130 } from './migrations/1763900000130-Webhooks';
import { Variables1763900000140 } from './migrations/1763900000140-Variables';
import { RunShots1763900000150 } from './migrations/1763900000150-RunShots';
import { Invitations1763900000160 } from './migrations/1763900000160-Invitations';
import { WindowNameOrder1763900000170 } from './migrations/1763900000170-WindowNameOrder';
import { WindowNameOrderCaseless1763900000180 } from './migrations/1763900000180-WindowNameOrderCaseless';
import { RefreshRotatedAt1763900000190 } from './migrations/1763900000190-RefreshRotatedAt';
import { RefreshFamily1763900000200 } from './migrations/1763900000200-RefreshFamily';

export const MIGRATIONS = [
  InitialSchema1763900000000,
  WindowCounts1763900000001,
  SavedProxies1763900000002,
  SharedThrottle1763900000003,
  AuditEvents1763900000004,
  ProfileVersions1763900000005,
  ListVersions1763900000006,
  CookiesEpoch1763900000050,
  AuthVersion1763900000060,
  TokenLineage1763900000061,
  LoginAddresses1763900000062,
  IssuedDevices1763900000085,
  VersionAuthors1763900000086,
  ProfileBlobLinks1763900000090,
  DeviceLines1763900000100,
  TasksRuns1763900000110,
  Schedules1763900000120,
  Webhooks1763900000130,
  Variables1763900000140,
  RunShots1763900000150,
  Invitations1763900000160,
  WindowNameOrder1763900000170,
  WindowNameOrderCaseless1763900000180,
  RefreshRotatedAt1763900000190,
  RefreshFamily1763900000200,
];

/** A `postgres://` URL, or the parts of a Unix-socket connection (the embedded database). */
export type DatabaseTarget = { url: string } | { host: string; port: number; username: string; database: string };

/** The same target for a plain `pg` client outside the pool (a listener, a lock holder). */
export function pgClientConfig(target: DatabaseTarget, applicationName: string): ClientConfig {
  return 'url' in target
    ? { application_name: applicationName, connectionString: target.url }
    : { application_name: applicationName, host: target.host, port: target.port, user: target.username, database: target.database };
}

/** How a pool of connections to the database behaves. */
export interface PoolSettings {
  size: number;
  /** How long an idle connection is kept, in ms; `0`: for as long as it lives. */
  idleMs: number;
  /** Runs on every new connection before it serves anything. */
  onConnect?: (client: ClientBase) => Promise<unknown>;
}

/** pg-pool waits for the promise `onConnect` returns before it hands the connection out; its typings say `void`. */
type PoolOptions = Omit<PoolConfig, 'onConnect'> & Pick<PoolSettings, 'onConnect'>;

/** `pg` pool options for these settings. */
export function poolConfig(pool: PoolSettings): PoolOptions {
  return { max: pool.size, idleTimeoutMillis: pool.idleMs, ...(pool.onConnect ? { onConnect: pool.onConnect } : {}) };
}

/** The one set of TypeORM options, used by the app and by the TypeORM CLI. */
/** The options for `target`; `entities` is empty where the app's feature modules register theirs. */
export function dataSourceOptions(
  target: DatabaseTarget,
  pool: PoolSettings = { size: 10, idleMs: 10_000 },
  entities: DataSourceOptions['entities'] = [],
): DataSourceOptions {
  return {
    type: 'postgres',
    ...target,
    entities,
    migrations: MIGRATIONS,
    // Run at start by `MigrationsAtStart`, one instance at a time.
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    synchronize: false,
    extra: poolConfig(pool),
  };
}
