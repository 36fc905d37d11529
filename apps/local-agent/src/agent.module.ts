import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { createValidationPipe, EnvelopeExceptionFilter } from '@cos/server-common';
import { AutomationController } from './automation/automation.controller';
import { CookieFiles } from './automation/cookie-files';
import { WindowAutomation } from './automation/window-automation';
import { WindowPages } from './automation/window-pages';
import { BidiSessions } from './bidi/bidi-sessions';
import { BrowserWindowsService } from './browser/browser-windows.service';
import { BrowserController } from './browser/browser.controller';
import { RunningWindows } from './browser/running-windows';
import { WindowAdoption } from './browser/window-adoption';
import { WindowCloser } from './browser/window-closer';
import { WindowOpener } from './browser/window-opener';
import { AgentCloud } from './cloud/agent-cloud';
import { AgentConfig, loadAgentConfig } from './config/agent-config';
import { AgentEvents } from './events/agent-events';
import { DeviceLine } from './device-line/device-line';
import { RemoteCommands } from './device-line/remote-commands';
import { RemoteRuns } from './device-line/remote-runs';
import { EventsController } from './events/events.controller';
import { ForwardController } from './forward/forward.controller';
import { HealthController } from './health/health.controller';
import { LocalToken } from './identity/agent-files';
import { InspectController } from './inspect/inspect.controller';
import { PageInspection } from './inspect/page-inspection';
import { PageRecords } from './inspect/page-records';
import { WindowInspectors } from './inspect/window-inspectors';
import { LlmsController } from './llms/llms.controller';
import { McpController } from './mcp/mcp.controller';
import { McpTools } from './mcp/mcp-tools';
import { CloseOutbox } from './outbox/close-outbox';
import { OneTimeWindows } from './one-time/one-time-windows';
import { ProfileSync } from './profile-sync/profile-sync';
import { WindowProxies } from './proxy/window-proxies';
import { LocalAccessGuard } from './security/local-access.guard';
import { WebPageMiddleware } from './security/web-page';

@Module({
  controllers: [
    HealthController,
    BrowserController,
    AutomationController,
    ForwardController,
    EventsController,
    InspectController,
    McpController,
    LlmsController,
  ],
  providers: [
    { provide: AgentConfig, useFactory: () => loadAgentConfig() },
    { provide: LocalToken, inject: [AgentConfig], useFactory: (config: AgentConfig) => new LocalToken(config) },
    AgentCloud,
    BrowserWindowsService,
    RunningWindows,
    WindowOpener,
    WindowCloser,
    WindowAdoption,
    CloseOutbox,
    OneTimeWindows,
    ProfileSync,
    BidiSessions,
    AgentEvents,
    WindowProxies,
    WindowPages,
    WindowAutomation,
    CookieFiles,
    WindowInspectors,
    PageInspection,
    PageRecords,
    McpTools,
    RemoteCommands,
    RemoteRuns,
    DeviceLine,
    { provide: APP_GUARD, useClass: LocalAccessGuard },
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: EnvelopeExceptionFilter },
  ],
})
export class AgentModule implements NestModule {
  /** Before any route (unknown ones too): a web page must not learn the agent is there. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(WebPageMiddleware).forRoutes('{*path}');
  }
}
