import { Injectable, Logger } from '@nestjs/common';
import { remoteAnswerData, ResultCode } from '@cos/contracts';
import type { ApiEnvelope, DeviceCommand, WindowRef } from '@cos/contracts';
import { BrowserWindowsService } from '../browser/browser-windows.service';
import { RemoteRuns } from './remote-runs';

/** Commands from the cloud running at once; one more is answered busy (the cloud holds the rest queued). */
const RUNNING_MAX = 16;

/**
 * What the cloud may ask of this device over the line, by allowlist: open or close one window,
 * run a task's steps in it or cancel that run (`RemoteRuns`)
 * (the command's shape was checked by `parseCloudMessage`). The open runs as any open: the
 * agent's own `/browser/launch` with its own session, so the cloud learns nothing it could not
 * already, and the window is opened with what the cloud stores for it. The answer carries only
 * what may leave the device (`remoteAnswerData`): never the Local API token, paths or ports.
 */
@Injectable()
export class RemoteCommands {
  private readonly logger = new Logger(RemoteCommands.name);
  private running = 0;

  constructor(
    private readonly windows: BrowserWindowsService,
    private readonly runs: RemoteRuns,
  ) {}

  async run(command: DeviceCommand): Promise<ApiEnvelope> {
    // A cancel is never held back: it is what frees the room.
    if (command.kind === 'cancel') return this.runs.cancel(command);
    if (command.expiresInMs <= 0)
      return { code: ResultCode.Unavailable, msg: 'The command came after its caller stopped waiting; nothing was done', data: {} };
    if (this.running >= RUNNING_MAX)
      return { code: ResultCode.Throttled, msg: `This device runs ${RUNNING_MAX} commands already; try again`, data: {} };
    this.running += 1;
    const ref = command.window as WindowRef;
    try {
      if (command.kind === 'run') return await this.runs.run(command);
      this.logger.log(`${command.kind} of window ${ref.uuid ?? ref.id} asked through the cloud`);
      if (command.kind === 'open') {
        const opened = await this.windows.open(ref);
        return { code: 0, msg: 'success', data: remoteAnswerData('open', opened) };
      }
      const closed = await this.windows.close(ref);
      return {
        code: 0,
        msg: 'success',
        data: remoteAnswerData('close', { ...closed, closeError: closed.close.error, killed: closed.close.killed }),
      };
    } finally {
      this.running -= 1;
    }
  }
}
