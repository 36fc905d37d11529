import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppLogger, configureHttpApp } from '@cos/server-common';
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
  const app = await NestFactory.create(AgentModule, { bodyParser: false, logger: new AppLogger(config.env.LOG_LEVEL) });
  configureHttpApp(app, { bodyLimit: '16mb' });
  app.enableShutdownHooks();
  // Loopback only: the Local API is for programs on this desktop.
  await app.listen(config.env.AGENT_PORT, '127.0.0.1');
  new LocalToken(config).current();
  Logger.log(
    `agent ${config.version} on http://127.0.0.1:${config.env.AGENT_PORT} (cloud ${config.env.CLOUD_URL}, data ${config.dataDir}); ` +
      'local token: npm run agent -- token',
    'Agent',
  );
}

void main();
