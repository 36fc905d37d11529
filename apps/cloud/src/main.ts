import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppLogger, holdDataFolder, portTaken } from '@cos/server-common';
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
  await holdOwnFolder(config);
  const app = await NestFactory.create(AppModule, { bodyParser: false, logger: new AppLogger(config.env.LOG_LEVEL) });
  configureCloudApp(app);
  // Listening comes after the modules started: migrations ran and the database answered.
  await app.listen(config.env.CLOUD_PORT, config.env.CLOUD_HOST).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') portBusy(config);
    throw error;
  });
  const base = `http://${browsableHost(config.env.CLOUD_HOST)}:${config.env.CLOUD_PORT}`;
  Logger.log(`cloud ${config.version} listening on ${base} (API docs at ${base}/docs)`, 'Cloud');
  // On a line of its own, unprefixed, for people to find and open.
  const served = existsSync(join(resolve(config.env.CONSOLE_DIR), 'index.html'));
  process.stdout.write(served ? `console: ${base}/\n` : `console: not built (no ${config.env.CONSOLE_DIR}/index.html; npm run build)\n`);
}

/** Exit code of a start that finds its data folder or port in use: it may work once the other stops. */
const IN_USE = 75;

/**
 * The embedded database is one PGlite on the data folder: a second cloud on it would open the
 * same files and replace the first one's socket, so one cloud holds the folder, before the
 * database starts. Clouds on a PostgreSQL server (DATABASE_URL) may share a folder.
 */
async function holdOwnFolder(config: CloudConfig): Promise<void> {
  const { CLOUD_HOST: host, CLOUD_PORT: port, DATABASE_URL } = config.env;
  const holder = DATABASE_URL ? null : holdDataFolder(config.dataDir, `${browsableHost(host)}:${port}`);
  if (holder) {
    console.error(
      `cos cloud already runs on this data folder ${config.dataDir} (pid ${holder.pid}, ${holder.address}): ` +
        'stop it first, or start this one with CLOUD_DATA_DIR and CLOUD_PORT of its own (or DATABASE_URL)',
    );
    process.exit(IN_USE);
  }
  if (await portTaken(port, host)) portBusy(config);
}

function portBusy(config: CloudConfig): never {
  console.error(
    `cos cloud cannot listen on ${config.env.CLOUD_HOST}:${config.env.CLOUD_PORT}: another program holds the port; stop it, or set CLOUD_PORT to a free one`,
  );
  process.exit(IN_USE);
}

/** An address a browser on this machine can open for the one the cloud listens on. */
function browsableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

void main();
