import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAgentConfig } from '../../apps/local-agent/src/config/agent-config';
import { FileSessionStore } from '../../apps/local-agent/src/identity/agent-files';
import { CloudHarness, startCloud } from '../support/cloud-app';
import { Account, registerOwner } from '../support/factories';

jest.setTimeout(420_000);

const ROOT = join(__dirname, '..', '..');

/** `npm run agent -- …` as the README runs it (ts-node on the CLI), with `input` as its standard input. */
function agentCli(args: string[], env: Record<string, string>, input: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/local-agent/src/cli.ts', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

describe('the agent CLI signs in without the password on its command line', () => {
  let cloud: CloudHarness;
  let owner: Account;
  const dataDir = mkdtempSync(join(tmpdir(), 'cos-cli-'));
  let env: Record<string, string>;
  beforeAll(async () => {
    cloud = await startCloud({ listen: true });
    owner = await registerOwner(cloud);
    env = { CLOUD_URL: cloud.url, AGENT_DATA_DIR: dataDir };
  });
  afterAll(async () => {
    await cloud.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads it from standard input with --password-stdin, and says what to do when none is given', async () => {
    const refused = await agentCli(['login', '--email', owner.email, '--password-stdin'], env, 'not the password\n');
    expect([refused.code, refused.output]).toEqual([1, expect.stringContaining('login refused')]);

    const noPassword = await agentCli(['login', '--email', owner.email], env, '');
    expect([noPassword.code, noPassword.output]).toEqual([1, expect.stringContaining('--password-stdin')]);
    expect(new FileSessionStore(loadAgentConfig({ ...process.env, ...env })).load()).toBeNull();

    const login = await agentCli(['login', '--email', owner.email, '--password-stdin'], env, `${owner.password}\n`);
    expect([login.code, login.output.trim()]).toEqual([0, `logged in to ${cloud.url} as ${owner.email}`]);
    expect(login.output).not.toContain(owner.password);
    expect(new FileSessionStore(loadAgentConfig({ ...process.env, ...env })).load()).toMatchObject({ email: owner.email });
  });
});
