import { Command } from 'commander';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { UnauthorizedError } from '@cos/contracts';
import { CloudClient } from '@cos/cloud-client';
import { loadAgentConfig } from './config/agent-config';
import { FileSessionStore, LocalToken } from './identity/agent-files';
import { serveStdio } from './mcp/mcp-stdio';

const program = new Command('agent').description('cos local agent: sign-in, local access token, MCP over stdio');

function context() {
  const config = loadAgentConfig();
  return { config, cloud: new CloudClient(config.env.CLOUD_URL, new FileSessionStore(config)), token: new LocalToken(config) };
}

/** The first line of standard input, without its line end: `--password-stdin`. */
async function firstLineOfStdin(): Promise<string> {
  const lines = createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  return '';
}

/** Asks on the terminal without echoing what is typed. */
function promptHidden(question: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const terminal = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    terminal.question(question, (answer) => {
      terminal.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}

/** The password from the flag, standard input, or a prompt, in that order of what was asked for. */
async function passwordOf(options: { password?: string; passwordStdin?: boolean }): Promise<string> {
  if (options.password !== undefined && options.passwordStdin) throw new Error('give --password or --password-stdin, not both');
  if (options.password !== undefined) return options.password;
  if (options.passwordStdin) return firstLineOfStdin();
  if (process.stdin.isTTY) return promptHidden('Password: ');
  throw new Error('no password: give --password-stdin (and the password on standard input), or run on a terminal to be asked');
}

program
  .command('login')
  .description('sign the agent in to the cloud with email and password, or with a personal API token')
  .option('--email <email>')
  .option('--password-stdin', 'read the password from the first line of standard input')
  .option(
    '--password <password>',
    'the password on the command line (shows in the process list and shell history; prefer the prompt or --password-stdin)',
  )
  .option('--api-token <token>')
  .action(async (options: { email?: string; password?: string; passwordStdin?: boolean; apiToken?: string }) => {
    const { cloud, config } = context();
    if (options.apiToken) await cloud.useApiToken(options.apiToken);
    else if (options.email) {
      const password = await passwordOf(options);
      if (!password) throw new Error('the password is empty');
      await cloud.login(options.email, password);
    } else throw new Error('give --email (the password is asked for, or read with --password-stdin), or --api-token');
    console.log(`logged in to ${config.env.CLOUD_URL} as ${cloud.session()?.email}`);
  });

program
  .command('logout')
  .description('end the cloud session and forget it')
  .action(async () => {
    await context().cloud.logout();
    console.log('logged out');
  });

program
  .command('status')
  .description('where the agent keeps its data and whether it is signed in')
  .action(() => {
    const { cloud, config } = context();
    const session = cloud.session();
    console.log(`cloud:     ${config.env.CLOUD_URL}`);
    console.log(`data:      ${config.dataDir}`);
    console.log(`firefox:   ${config.firefoxPath}${config.headless ? ' (headless)' : ''}`);
    console.log(`logged in: ${session ? `yes, as ${session.email} (${session.kind})` : 'no'}`);
  });

program
  .command('token')
  .description('print the local access token (alone on the last line)')
  .option('--rotate', 'make a new token; the old one stops working')
  .action((options: { rotate?: boolean }) => {
    const { token } = context();
    console.log(options.rotate ? token.rotate() : token.current());
  });

program
  .command('mcp')
  .description('an MCP server on stdin/stdout for AI clients, carried to the running agent (its /mcp endpoint)')
  .option('--url <url>', 'the agent (default http://127.0.0.1:AGENT_PORT)')
  .action(async (options: { url?: string }) => {
    const { config, token } = context();
    await serveStdio(options.url ?? `http://127.0.0.1:${config.env.AGENT_PORT}`, token.current());
  });

program.parseAsync().catch((error: Error) => {
  console.error(error instanceof UnauthorizedError ? `login refused: ${error.message}` : error.message);
  process.exit(1);
});
