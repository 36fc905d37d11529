import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppLogger, configureHttpApp, holdDataFolder, portTaken } from '@cos/server-common';
import { AgentModule } from './agent.module';
import { AgentConfig, AgentConfigError, loadAgentConfig } from './config/agent-config';
import { LocalToken } from './identity/agent-files';

// The agent holds every open window of this desktop: an error of one window, caught nowhere,
// is logged and must not end the others' agent.
process.on('uncaughtException', (error) => Logger.error(`uncaught: ${error.stack ?? error.message}`, 'Agent'));
process.on('unhandledRejection', (reason) =>
  Logger.error(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`, 'Agent'),
);

async function main(): Promise<void> {
  let config: AgentConfig;
  try {
    config = loadAgentConfig();
  } catch (error) {
    if (error instanceof AgentConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
  await holdOwnFolder(config);
  const app = await NestFactory.create(AgentModule, { bodyParser: false, logger: new AppLogger(config.env.LOG_LEVEL) });
  configureHttpApp(app, { bodyLimit: '16mb' });
  app.enableShutdownHooks();
  // Loopback only: the Local API is for programs on this desktop.
  await app.listen(config.env.AGENT_PORT, '127.0.0.1').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') portBusy(config);
    throw error;
  });
  new LocalToken(config).current();
  Logger.log(
    `agent ${config.version} on http://127.0.0.1:${config.env.AGENT_PORT} (cloud ${config.env.CLOUD_URL}, data ${config.dataDir}); ` +
      'local token: npm run agent -- token',
    'Agent',
  );
}

/** Exit code of a start that finds its data folder or port in use: it may work once the other stops. */
const IN_USE = 75;

/**
 * One agent per data folder, held before anything in it is touched: a second agent would adopt
 * (stop) the first one's windows. A start on a taken port ends here too, before adoption.
 */
async function holdOwnFolder(config: AgentConfig): Promise<void> {
  const port = config.env.AGENT_PORT;
  const holder = holdDataFolder(config.dataDir, `127.0.0.1:${port}`);
  if (holder) {
    console.error(
      `cos agent already runs on this data folder ${config.dataDir} (pid ${holder.pid}, ${holder.address}): ` +
        'stop it first, or start this one with AGENT_DATA_DIR and AGENT_PORT of its own',
    );
    process.exit(IN_USE);
  }
  if (await portTaken(port, '127.0.0.1')) portBusy(config);
}

function portBusy(config: AgentConfig): never {
  console.error(
    `cos agent cannot listen on 127.0.0.1:${config.env.AGENT_PORT}: another program holds the port; stop it, or set AGENT_PORT to a free one`,
  );
  process.exit(IN_USE);
}

void main();
