import { ConsoleLogger, LogLevel } from '@nestjs/common';

/** `LOG_LEVEL` values, least to most said. */
export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export type AppLogLevel = (typeof LOG_LEVELS)[number];

/** Nest's wiring at start: a line per module, controller and route. */
const WIRING_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/**
 * Nest's console logger at `LOG_LEVEL`. At `log` (the default) and below, the lines Nest prints
 * while wiring the app (well over a hundred, one per route) are left out, so a start shows what
 * the service says; `debug` and `verbose` show them.
 */
export class AppLogger extends ConsoleLogger {
  private readonly showWiring: boolean;

  constructor(level: AppLogLevel) {
    const rank = LOG_LEVELS.indexOf(level);
    super({ logLevels: ['fatal', ...LOG_LEVELS.slice(0, rank + 1)] satisfies LogLevel[] });
    this.showWiring = rank >= LOG_LEVELS.indexOf('debug');
  }

  override log(message: unknown, ...params: unknown[]): void {
    // Nest passes the context last.
    const context = params[params.length - 1];
    if (!this.showWiring && typeof context === 'string' && WIRING_CONTEXTS.has(context)) return;
    super.log(message, ...params);
  }
}
