import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppLogger } from '@cos/server-common';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppModule } from './app.module';
import { configureCloudApp } from './bootstrap';
import { CloudConfig, ConfigError, loadCloudConfig } from './config/cloud-config';

async function main(): Promise<void> {
  let config: CloudConfig;
  try {
    config = loadCloudConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
  const app = await NestFactory.create(AppModule, { bodyParser: false, logger: new AppLogger(config.env.LOG_LEVEL) });
  configureCloudApp(app);
  // Listening comes after the modules started: migrations ran and the database answered.
  await app.listen(config.env.CLOUD_PORT, config.env.CLOUD_HOST);
  const base = `http://${browsableHost(config.env.CLOUD_HOST)}:${config.env.CLOUD_PORT}`;
  Logger.log(`cloud ${config.version} listening on ${base} (API docs at ${base}/docs)`, 'Cloud');
  // On a line of its own, unprefixed, for people to find and open.
  const served = existsSync(join(resolve(config.env.CONSOLE_DIR), 'index.html'));
  process.stdout.write(served ? `console: ${base}/\n` : `console: not built (no ${config.env.CONSOLE_DIR}/index.html; npm run build)\n`);
}

/** An address a browser on this machine can open for the one the cloud listens on. */
function browsableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

void main();
