import { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { configureHttpApp } from '@cos/server-common';
import compression from 'compression';
import type { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';
import { CloudConfig } from './config/cloud-config';
import { CONSOLE_CSP, consolePage, DOCS_CSP } from './console/console-page';
import { DeviceLines } from './devices/device-lines';

/**
 * The OpenAPI page's files: `/docs`, `/docs/` and a plain file name under it. Matched on the raw
 * path, so `/docs/..%2findex.html` (which the static server decodes to the console) is not one.
 */
const DOCS_PAGE = /^\/docs(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)?\/?$/;

/**
 * Every answer, 211s and 404s included, carries a policy and may not be framed: the console's
 * policy, or for the OpenAPI page (whose page has inline styles) the same with inline styles.
 */
function securityHeaders(request: Request, response: Response, next: NextFunction): void {
  response.setHeader('Content-Security-Policy', DOCS_PAGE.test(request.path) ? DOCS_CSP : CONSOLE_CSP);
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  next();
}

/** Everything `main.ts` and the tests both do to a created app before it listens. */
export function configureCloudApp(app: INestApplication): void {
  // First of all, so answers made before any route (a body that is not JSON: 211) carry them too.
  app.use(securityHeaders);
  // Close calls carry a window's cookies: thousands of them for a busy profile.
  configureHttpApp(app, { bodyLimit: '16mb' });
  app.enableShutdownHooks();
  // The console's files travel compressed. API answers (POST) are left alone: small JSON gains
  // little, and the wrapper would cost every call; event streams and profile blobs are sent as they come.
  const compress = compression();
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' || request.path.startsWith('/events') || request.path.startsWith('/browser/profile/blob')) {
      next();
      return;
    }
    compress(request, response, next);
  });
  const config = app.get(CloudConfig);
  // The console's page, before the static files: each answer with its own nonce.
  const page = consolePage(config.env.CONSOLE_DIR);
  if (page) app.use(page);
  const server = app.getHttpServer() as Server;
  // The device line is a WebSocket upgrade, outside the routes: its own Bearer check, no Origin.
  app.get(DeviceLines).attach(server);
  server.keepAliveTimeout = config.env.HTTP_KEEP_ALIVE_SECONDS * 1000;
  // The next request on a kept connection may start as late as the keep-alive allows.
  server.headersTimeout = Math.max(server.headersTimeout, server.keepAliveTimeout + 1000);
  // Behind a load balancer the client's address (login throttling) comes from X-Forwarded-For,
  // trusted only as far as TRUST_PROXY says.
  if (config.env.TRUST_PROXY !== undefined) {
    (app as NestExpressApplication).set('trust proxy', config.trustProxy);
  }
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('cos cloud')
      .setDescription('Browser windows, teams and permissions. Every business call is POST with a JSON body and answers {code,msg,data}.')
      .setVersion(config.version)
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
