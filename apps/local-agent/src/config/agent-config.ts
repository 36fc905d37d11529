import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { accessSync, constants, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { cpus, homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { firefoxMajorOf, LOG_LEVELS, packageVersion, readEnv, toBool, toInt } from '@cos/server-common';
import type { AppLogLevel } from '@cos/server-common';

/** Where the window draws: Firefox's headless mode, the user's display, or an Xvfb display of its own. */
export type DisplayMode = 'headless' | 'host' | 'xvfb';

/** Environment variables of the agent, validated at start. */
export class AgentEnv {
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  AGENT_PORT = 54345;

  @Matches(/^https?:\/\/[^\s]+$/, { message: 'CLOUD_URL must be an http(s) URL' })
  CLOUD_URL = 'http://127.0.0.1:3000';

  @IsString()
  AGENT_DATA_DIR = join(homedir(), '.cos-agent');

  /** `debug` and `verbose` also show Nest's wiring at start (every module and route). */
  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: AppLogLevel = 'log';

  @IsOptional()
  @IsString()
  FIREFOX_PATH?: string;

  /**
   * Unset: on the user's display when there is one, else on an Xvfb display of each window's own
   * (sized to its screen, with WebGL) when Xvfb is installed, else headless. 1: Firefox's headless
   * mode (no WebGL). 0: headful, on an Xvfb display where there is no display.
   */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  AGENT_HEADLESS?: boolean;

  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(120_000)
  AGENT_CLOSE_TIMEOUT_MS = 10_000;

  /** First retry of a close report the cloud did not take; each failure doubles it, up to a minute. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  AGENT_OUTBOX_RETRY_MS = 1_000;

  /**
   * How long a close waits for the cloud (its status and its report) before it answers; a report
   * not taken by then stays in the outbox, which finishes it. An open waits as long for the last close.
   */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  AGENT_CLOSE_REPORT_WAIT_MS = 10_000;

  /** Bound on one JSON call to the cloud. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  AGENT_CLOUD_TIMEOUT_MS = 30_000;

  /** Bound on one profile blob's upload or download (the outbox retries a failed one). */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(24 * 3_600_000)
  AGENT_TRANSFER_TIMEOUT_MS = 15 * 60_000;

  /** Bound on reaching a proxy (connect, credentials, SSH handshake), an extraction API or an IP lookup. */
  @Transform(toInt)
  @IsInt()
  @Min(500)
  @Max(120_000)
  AGENT_PROXY_TIMEOUT_MS = 10_000;

  /** Where the probe at open asks the proxy to connect, proving it carries traffic. */
  @Matches(/^[A-Za-z0-9.-]+:\d{1,5}$/, { message: 'AGENT_PROXY_PROBE_TARGET must be host:port' })
  AGENT_PROXY_PROBE_TARGET = 'ip-api.com:80';

  /** Replaces the URL of every ipCheckService (a private lookup service answering like ip-api.com or ipinfo.io). */
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'AGENT_IP_CHECK_URL must be an http(s) URL' })
  AGENT_IP_CHECK_URL?: string;

  /** The largest WebDriver BiDi message through a window's multiplexer, either way; larger ones are refused with a BiDi error. */
  @Transform(toInt)
  @IsInt()
  @Min(65_536)
  @Max(268_435_456)
  AGENT_BIDI_MESSAGE_MAX_BYTES = 33_554_432;

  /**
   * Keeps the device line: one outbound WebSocket to the cloud while signed in, through which the
   * cloud shows this device online and members (this user, or team managers) open and close its
   * windows. 0: no line; this device is offline to the team and only the Local API drives it.
   */
  @Transform(toBool)
  @IsBoolean()
  AGENT_DEVICE_LINE = true;

  /**
   * How the device line reaches the cloud: `auto` (a WebSocket; long-polls when something in between
   * drops the upgrade while plain calls pass, trying the WebSocket again every ten minutes),
   * `websocket` or `poll` only.
   */
  @IsIn(['auto', 'websocket', 'poll'], { message: 'AGENT_LINE_TRANSPORT must be auto, websocket or poll' })
  AGENT_LINE_TRANSPORT: 'auto' | 'websocket' | 'poll' = 'auto';

  /** The first wait before the line connects again after a loss; each failure doubles it (with jitter), up to 30 s. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  AGENT_LINE_RETRY_MS = 1_000;

  /** WebDriver BiDi clients connected to one window at once. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  AGENT_BIDI_CLIENTS_MAX = 32;

  /** `GET /events` streams open at once; one more is answered 429. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  AGENT_EVENTS_STREAMS_MAX = 16;

  /** Bytes of events that may wait for one `GET /events` client that reads too slowly; past it its stream is cut. */
  @Transform(toInt)
  @IsInt()
  @Min(16_384)
  @Max(268_435_456)
  AGENT_EVENTS_STREAM_BUFFER_BYTES = 1_048_576;

  /** PEM file of extra certificate authorities trusted for https proxies. */
  @IsOptional()
  @IsString()
  AGENT_PROXY_CA_FILE?: string;

  /** Entries kept per tab in each inspection log (console, page errors, network, dialogs). */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(100_000)
  AGENT_LOG_ENTRIES = 500;

  /** Bytes a window's downloads folder may hold; the oldest files go past it. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  AGENT_DOWNLOADS_MAX_BYTES = 1024 * 1024 * 1024;

  /** The most an MCP tool answers, in tokens (about 4 characters each); longer answers are cut with a note. */
  @Transform(toInt)
  @IsInt()
  @Min(500)
  @Max(1_000_000)
  AGENT_MCP_MAX_TOKENS = 25_000;

  /** Origins (comma-separated) whose pages may call the MCP endpoint; none by default. */
  @IsOptional()
  @Matches(/^(https?:\/\/[^\s,/]+)(,https?:\/\/[^\s,/]+)*$/, { message: 'AGENT_MCP_ALLOWED_ORIGINS must be comma-separated origins' })
  AGENT_MCP_ALLOWED_ORIGINS?: string;
}

export class AgentConfigError extends Error {}

/** The validated configuration the agent reads. */
export class AgentConfig {
  constructor(
    readonly env: Readonly<AgentEnv>,
    readonly firefoxPath: string,
    readonly headless: boolean,
    readonly version: string,
    /** Extra certificate authorities (PEM) for https proxies. */
    readonly proxyCa?: string,
    /** Where headful windows draw: the user's display, or an Xvfb display per window. */
    readonly display: 'host' | 'xvfb' = 'host',
    /** The installed Firefox's major version (its windows claim it). */
    readonly firefoxMajor = 0,
  ) {}

  get displayMode(): DisplayMode {
    return this.headless ? 'headless' : this.display;
  }

  /** UI locales with a Firefox language pack installed beside the binary (en-US is built in). */
  get uiLocales(): string[] {
    this.locales ??= installedUiLocales(this.firefoxPath);
    return this.locales;
  }
  private locales?: string[];

  get dataDir(): string {
    return resolve(this.env.AGENT_DATA_DIR);
  }

  path(...parts: string[]): string {
    return join(this.dataDir, ...parts);
  }

  get realCores(): number {
    return cpus().length;
  }
}

function installedUiLocales(firefoxPath: string): string[] {
  const locales = new Set(['en-US']);
  for (const dir of ['browser/extensions', 'distribution/extensions']) {
    try {
      for (const file of readdirSync(join(dirname(realpathSync(firefoxPath)), dir))) {
        const pack = /^langpack-([A-Za-z-]+)@/.exec(file);
        if (pack) locales.add(pack[1]);
      }
    } catch {
      // no such folder in this installation
    }
  }
  return [...locales];
}

function findOnPath(names: string[]): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of names) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

export function loadAgentConfig(source: NodeJS.ProcessEnv = process.env): AgentConfig {
  const known = Object.keys(new AgentEnv()).concat([
    'FIREFOX_PATH',
    'AGENT_HEADLESS',
    'AGENT_IP_CHECK_URL',
    'AGENT_PROXY_CA_FILE',
    'AGENT_MCP_ALLOWED_ORIGINS',
  ]);
  // `npm start` runs the cloud and the agent with one environment: a cloud moved to another port
  // takes its agent along, instead of leaving it on whatever answers on 3000.
  if (!source.CLOUD_URL && /^[1-9]\d{0,4}$/.test(source.CLOUD_PORT ?? '')) {
    source = { ...source, CLOUD_URL: `http://127.0.0.1:${source.CLOUD_PORT}` };
  }
  const { env, problems } = readEnv(AgentEnv, source, known);
  const firefoxPath = env.FIREFOX_PATH ?? findOnPath(['firefox-esr', 'firefox']);
  if (!firefoxPath) problems.push('  FIREFOX_PATH: no firefox-esr or firefox on PATH; set FIREFOX_PATH');
  let proxyCa: string | undefined;
  if (env.AGENT_PROXY_CA_FILE) {
    try {
      proxyCa = readFileSync(env.AGENT_PROXY_CA_FILE, 'utf8');
      if (!proxyCa.includes('-----BEGIN CERTIFICATE-----')) problems.push('  AGENT_PROXY_CA_FILE: holds no PEM certificate');
    } catch (error) {
      problems.push(`  AGENT_PROXY_CA_FILE: cannot be read (${(error as Error).message})`);
    }
  }
  if (problems.length > 0) throw new AgentConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  const hasDisplay = Boolean(source.DISPLAY || source.WAYLAND_DISPLAY);
  const xvfb = !hasDisplay && findOnPath(['Xvfb']) !== undefined;
  const headless = env.AGENT_HEADLESS ?? !(hasDisplay || xvfb);
  if (!headless && !hasDisplay && !xvfb) problems.push('  AGENT_HEADLESS=0: there is no display and no Xvfb to draw on; install xvfb');
  if (problems.length > 0) throw new AgentConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  const major = firefoxMajorOf(firefoxPath!);
  if (!major) throw new AgentConfigError(`Invalid configuration:\n  FIREFOX_PATH: ${firefoxPath} does not say its version`);
  return new AgentConfig(env, firefoxPath!, headless, packageVersion(), proxyCa, hasDisplay ? 'host' : 'xvfb', major);
}
