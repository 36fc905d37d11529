/**
 * Long: one validated field per configuration variable, each with its bounds and message.
 */
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { findFirefox, firefoxMajorOf, LOG_LEVELS, packageVersion, readEnv, toBool, toInt } from '@cos/server-common';
import type { AppLogLevel } from '@cos/server-common';

/** Environment variables of the cloud, validated at boot. Defaults are the README's. */
export class CloudEnv {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @IsString()
  CLOUD_HOST = '127.0.0.1';

  /** `debug` and `verbose` also show Nest's wiring at start (every module and route). */
  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: AppLogLevel = 'log';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  CLOUD_PORT = 3000;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsString()
  CLOUD_DATA_DIR = './data/cloud';

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'ENCRYPTION_KEY must be 32 bytes in base64 (44 characters)' })
  ENCRYPTION_KEY?: string;

  /** Low values are for tests that wait past a token's expiry. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  ACCESS_TOKEN_TTL_SECONDS = 900;

  @Transform(toInt)
  @IsInt()
  @Min(300)
  @Max(365 * 86400)
  REFRESH_TOKEN_TTL_SECONDS = 30 * 86400;

  /**
   * Seconds after a refresh token is replaced in which presenting it again rotates once more
   * instead of ending the session as a replay: the answer of a refresh a reload cut off, or of
   * two tabs restored at once, never reached the cookie. 0 ends the session at any reuse.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(300)
  REFRESH_REUSE_GRACE_SECONDS = 30;

  @Transform(toBool)
  @IsBoolean()
  REGISTRATION_ENABLED = true;

  /** How long an invitation link can be accepted. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(30 * 24)
  INVITE_TTL_HOURS = 72;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  RECYCLE_RETENTION_DAYS = 30;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  LOGIN_THROTTLE_LIMIT = 10;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  LOGIN_ADDRESS_THROTTLE_LIMIT = 30;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  LOGIN_THROTTLE_TTL_SECONDS = 60;

  /**
   * Wrong passwords for one account, from any addresses, in `LOGIN_ACCOUNT_THROTTLE_SECONDS`;
   * over it only an address the account signed in from before gets its password checked.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  LOGIN_ACCOUNT_THROTTLE_LIMIT = 10;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  LOGIN_ACCOUNT_THROTTLE_SECONDS = 900;

  /** Low values are for tests that wait past a lease; agents renew every third of it. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  WINDOW_LEASE_SECONDS = 120;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  /**
   * A PostgreSQL pool closes a connection idle this long (`0`: never). The embedded database's
   * one connection is never closed for idleness: PGlite is one session that outlives it.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86400)
  DATABASE_POOL_IDLE_SECONDS = 10;

  /** An idle HTTP keep-alive connection is closed after this; behind a load balancer, keep it above the balancer's idle timeout. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  HTTP_KEEP_ALIVE_SECONDS = 5;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60)
  AUTH_CACHE_SECONDS = 2;

  /** `GET /events` streams one login session may hold open on an instance; more are 429. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  EVENTS_STREAMS_PER_SESSION = 10;

  /** … one user (all sessions and API tokens), on an instance. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  EVENTS_STREAMS_PER_USER = 20;

  /** … one team, on an instance. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  EVENTS_STREAMS_PER_TEAM = 200;

  /**
   * Bytes of events that may wait for one client that reads too slowly (the events are shared by
   * every stream; this counts what each still owes); past it the stream is cut with a last event
   * saying where to resume. Keep it above a batch's events (a thousand windows: about 500 KB).
   */
  @Transform(toInt)
  @IsInt()
  @Min(64 * 1024)
  @Max(256 * 1024 * 1024)
  EVENTS_STREAM_BUFFER_BYTES = 2 * 1024 * 1024;

  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'IP_CHECK_URL must be an http(s) URL' })
  IP_CHECK_URL?: string;

  @Transform(toInt)
  @IsInt()
  @Min(500)
  @Max(120_000)
  PROXY_CHECK_TIMEOUT_MS = 10_000;

  /**
   * Which proxies in front of the cloud are trusted to name the client in X-Forwarded-For: a
   * number of hops, or addresses and subnets (Express's `trust proxy`). Unset: none.
   */
  @IsOptional()
  @Matches(/^(\d{1,2}|[0-9A-Fa-f.:/]+(\s*,\s*[0-9A-Fa-f.:/]+)*|loopback|linklocal|uniquelocal)$/, {
    message: 'TRUST_PROXY must be a hop count, addresses or subnets (comma-separated), or loopback/linklocal/uniquelocal',
  })
  TRUST_PROXY?: string;

  /** The built web console (`npm run build`), served at `/`; nothing is served when it is missing. */
  @IsString()
  CONSOLE_DIR = 'dist/console';

  /** Where profile blobs live: the data folder (`fs`) or S3-compatible object storage (`s3`, the S3_* variables). */
  @IsIn(['fs', 's3'], { message: 'PROFILE_STORE must be fs or s3' })
  PROFILE_STORE: 'fs' | 's3' = 'fs';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  PROFILE_VERSIONS_KEPT = 10;

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(Number.MAX_SAFE_INTEGER)
  PROFILE_MAX_BYTES = 1024 * 1024 * 1024;

  /** Files a profile version may list: every one is fetched and written at the owner's next open. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  PROFILE_MAX_FILES = 10_000;

  /** Bytes of uploaded blobs no version uses yet that a team may hold; more uploads wait (429) for a commit or the collector. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(Number.MAX_SAFE_INTEGER)
  PROFILE_UNREFERENCED_MAX_BYTES = 2 * 1024 * 1024 * 1024;

  /** The same bound as a count of blobs (a first sync of a profile uploads one per file). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  PROFILE_UNREFERENCED_MAX_BLOBS = 100_000;

  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'S3_ENDPOINT must be an http(s) URL' })
  S3_ENDPOINT?: string;

  @IsString()
  S3_REGION = 'us-east-1';

  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'S3_BUCKET must be a bucket name' })
  S3_BUCKET?: string;

  @Transform(toBool)
  @IsBoolean()
  S3_FORCE_PATH_STYLE = false;

  @IsOptional()
  @IsString()
  S3_ACCESS_KEY_ID?: string;

  @IsOptional()
  @IsString()
  S3_SECRET_ACCESS_KEY?: string;

  /** Keys of profile blobs start with this (a folder inside a shared bucket). */
  @Matches(/^([A-Za-z0-9._-]+\/)*$/, { message: 'S3_PREFIX must be empty or folder names ending in /' })
  S3_PREFIX = 'profile-blobs/';

  /** Keys of run screenshots start with this, in the same bucket (never among the profile blobs). */
  @Matches(/^([A-Za-z0-9._-]+\/)+$/, { message: 'RUN_SHOTS_S3_PREFIX must be folder names ending in /' })
  RUN_SHOTS_S3_PREFIX = 'run-shots/';

  /** `/proxy/check` may connect to loopback, private and link-local addresses; default: outside production only. */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  PROXY_CHECK_PRIVATE_TARGETS?: boolean;

  /**
   * The Firefox major version the agents run: a window's coreVersion and user agent must name it.
   * Unset: read from the Firefox installed beside the cloud (FIREFOX_PATH or firefox-esr on PATH).
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(9999)
  FIREFOX_MAJOR?: number;

  @IsOptional()
  @IsString()
  FIREFOX_PATH?: string;

  /** How often an agent on the device line says it is there (the cloud tells it at connect). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(120)
  DEVICE_HEARTBEAT_SECONDS = 15;

  /** A device not heard for this long is offline and its line is dropped; at least twice the heartbeat. */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(600)
  DEVICE_OFFLINE_SECONDS = 45;

  /** Device lines one user (all sessions and API tokens) may hold on an instance; one more is refused. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  DEVICE_LINES_PER_USER = 20;

  /** Commands a device has been sent and not answered; more wait queued until it answers. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  DEVICE_COMMANDS_IN_FLIGHT = 16;

  /** Commands one device may have waiting (queued or sent, not answered, still awaited); one more is refused with 429. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  DEVICE_COMMANDS_QUEUED_MAX = 100;

  /** Window runs (of every run) one device runs at once; a run's own `concurrency` bounds it further. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  RUNS_PER_DEVICE = 4;

  /** How often each instance looks for window runs to send, finish or record (events wake it sooner). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  RUN_SWEEP_MS = 2_000;

  /** How often each instance asks the job engine for webhook deliveries to send (a run's end wakes it at once). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(300)
  JOB_POLL_SECONDS = 1;

  /** Screenshots of runs are kept this many days, then deleted (hourly). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  RUN_SHOTS_KEEP_DAYS = 30;

  /** The bytes of run screenshots a team keeps at most; over it, new screenshots are refused until old ones go. */
  @Transform(toInt)
  @IsInt()
  @Min(1024 * 1024)
  RUN_SHOTS_TEAM_MAX_BYTES = 2 * 1024 * 1024 * 1024;

  /** How often each instance looks for schedules whose tick has come. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  SCHEDULE_TICK_MS = 5_000;

  /** A webhook endpoint's answer is awaited this long. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  WEBHOOK_TIMEOUT_MS = 15_000;

  /** Tries after the first for a delivery not answered 2xx (410 stops at once). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(20)
  WEBHOOK_RETRIES = 8;

  /** The wait before the first retry; each next one waits about twice as long. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  WEBHOOK_RETRY_DELAY_SECONDS = 10;
}

export interface CloudSecrets {
  jwtSecret: string;
  /** The same secret as a KeyObject: jsonwebtoken otherwise re-parses a string secret on every verify. */
  jwtKey: KeyObject;
  encryptionKey: Buffer;
}

/** The validated configuration the cloud reads; feature code never touches `process.env`. */
export class CloudConfig {
  constructor(
    readonly env: Readonly<CloudEnv>,
    readonly secrets: CloudSecrets,
    readonly version: string,
    /** The Firefox major the agents run; null when neither configured nor installed here. */
    readonly firefoxMajor: number | null = null,
  ) {}

  get dataDir(): string {
    return resolve(this.env.CLOUD_DATA_DIR);
  }

  /** TRUST_PROXY as Express takes it: a hop count as a number, anything else as it is. */
  get trustProxy(): number | string | undefined {
    const value = this.env.TRUST_PROXY;
    return value !== undefined && /^\d+$/.test(value) ? Number(value) : value;
  }
}

export class ConfigError extends Error {}

function validateEnv(source: NodeJS.ProcessEnv): CloudEnv {
  const { env, problems } = readEnv(CloudEnv, source);
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  if (env.DEVICE_OFFLINE_SECONDS < 2 * env.DEVICE_HEARTBEAT_SECONDS) {
    throw new ConfigError('Invalid configuration:\n  DEVICE_OFFLINE_SECONDS: must be at least twice DEVICE_HEARTBEAT_SECONDS');
  }
  if (env.PROFILE_STORE === 's3' && !env.S3_BUCKET) {
    throw new ConfigError('Invalid configuration:\n  S3_BUCKET: required when PROFILE_STORE=s3');
  }
  if (env.RUN_SHOTS_S3_PREFIX === env.S3_PREFIX) {
    throw new ConfigError(
      'Invalid configuration:\n  RUN_SHOTS_S3_PREFIX: must differ from S3_PREFIX (screenshots never share keys with profile blobs)',
    );
  }
  return env;
}

/** Secrets come from the environment; outside production a missing one is generated once and kept. */
function resolveSecrets(env: CloudEnv): CloudSecrets {
  if (env.NODE_ENV === 'production') {
    const missing = (['JWT_SECRET', 'ENCRYPTION_KEY'] as const).filter((key) => !env[key]);
    if (missing.length > 0) {
      throw new ConfigError(`Invalid configuration:\n${missing.map((key) => `  ${key}: required when NODE_ENV=production`).join('\n')}`);
    }
  }
  const dataDir = resolve(env.CLOUD_DATA_DIR);
  const kept = (file: string, make: () => string): string => {
    const path = join(dataDir, file);
    if (existsSync(path)) return readFileSync(path, 'utf8').trim();
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const value = make();
    writeFileSync(path, value, { mode: 0o600, flag: 'wx' });
    return value;
  };
  const jwtSecret = env.JWT_SECRET ?? kept('jwt-secret', () => randomBytes(48).toString('base64'));
  const encryptionKey = Buffer.from(env.ENCRYPTION_KEY ?? kept('encryption-key', () => randomBytes(32).toString('base64')), 'base64');
  return { jwtSecret, jwtKey: createSecretKey(Buffer.from(jwtSecret)), encryptionKey };
}

export function loadCloudConfig(source: NodeJS.ProcessEnv = process.env): CloudConfig {
  const env = validateEnv(source);
  const firefox = env.FIREFOX_MAJOR === undefined ? findFirefox(env.FIREFOX_PATH, source.PATH) : undefined;
  const firefoxMajor = env.FIREFOX_MAJOR ?? (firefox ? firefoxMajorOf(firefox) : null);
  return new CloudConfig(env, resolveSecrets(env), packageVersion(), firefoxMajor);
}
