import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
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
  const app = await NestFactory.create(AppModule, { bodyParser: false });
  configureCloudApp(app);
  await app.listen(config.env.CLOUD_PORT, config.env.CLOUD_HOST);
  Logger.log(`cloud ${config.version} listening on http://${config.env.CLOUD_HOST}:${config.env.CLOUD_PORT} (API docs at /docs)`, 'Cloud');
}

void main();
