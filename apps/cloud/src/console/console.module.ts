import { Module } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import type { Response } from 'express';
import { existsSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AuthModule } from '../auth/auth.module';
import { CloudConfig } from '../config/cloud-config';
import { ConfigModule } from '../config/config.module';
import { ConsoleSessionController } from './console-session.controller';

/**
 * The web console: its built files served at `/` (the page routes with the URL's hash, so every
 * other path stays the API's), and its cookie-based sessions.
 */
@Module({
  imports: [
    AuthModule,
    ServeStaticModule.forRootAsync({
      imports: [ConfigModule],
      inject: [CloudConfig],
      useFactory: (config: CloudConfig) => {
        const dir = resolve(config.env.CONSOLE_DIR);
        if (!existsSync(join(dir, 'index.html'))) return [];
        // The build this process started with (`dist/console` is a symlink a later build moves):
        // a page keeps finding the assets its index.html names.
        const rootPath = realpathSync(dir);
        return [
          {
            rootPath,
            renderPath: '/',
            serveStaticOptions: {
              index: false,
              // Built assets carry a content hash in their names: cached for good (the page itself is console-page.ts's).
              setHeaders: (response: Response) => {
                response.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
              },
            },
          },
        ];
      },
    }),
  ],
  controllers: [ConsoleSessionController],
})
export class ConsoleModule {}
