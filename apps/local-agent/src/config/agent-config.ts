import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';
import { accessSync, constants } from 'node:fs';
import { cpus, homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { packageVersion } from '@cos/server-common';

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value);
const toBool = ({ value }: { value: unknown }) =>
  value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;

/** Environment variables of the agent, validated at start. */
export class AgentEnv {
  @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  AGENT_PORT = 54345;

  @Matches(/^https?:\/\/[^\s]+$/, { message: 'CLOUD_URL must be an http(s) URL' })
  CLOUD_URL = 'http://127.0.0.1:3000';

  @IsString()
  AGENT_DATA_DIR = join(homedir(), '.cos-agent');

  @IsOptional() @IsString()
  FIREFOX_PATH?: string;

  /** Unset: headless where there is no display. */
  @IsOptional() @Transform(toBool) @IsBoolean()
  AGENT_HEADLESS?: boolean;

  @Transform(toInt) @IsInt() @Min(1000) @Max(120_000)
  AGENT_CLOSE_TIMEOUT_MS = 10_000;
}

export class AgentConfigError extends Error {}

/** The validated configuration the agent reads. */
export class AgentConfig {
  constructor(
    readonly env: Readonly<AgentEnv>,
    readonly firefoxPath: string,
    readonly headless: boolean,
    readonly version: string,
  ) {}

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
  const known = Object.keys(new AgentEnv()).concat(['FIREFOX_PATH', 'AGENT_HEADLESS']);
  const picked = Object.fromEntries(Object.entries(source).filter(([key, value]) => known.includes(key) && value !== undefined && value !== ''));
  const env = plainToInstance(AgentEnv, picked);
  const problems = validateSync(env).map((e) => `  ${e.property}=${JSON.stringify(source[e.property])}: ${Object.values(e.constraints ?? {}).join('; ')}`);
  const firefoxPath = env.FIREFOX_PATH ?? findOnPath(['firefox-esr', 'firefox']);
  if (!firefoxPath) problems.push('  FIREFOX_PATH: no firefox-esr or firefox on PATH; set FIREFOX_PATH');
  if (problems.length > 0) throw new AgentConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  const headless = env.AGENT_HEADLESS ?? !(source.DISPLAY || source.WAYLAND_DISPLAY);
  return new AgentConfig(env, firefoxPath!, headless, packageVersion());
}
