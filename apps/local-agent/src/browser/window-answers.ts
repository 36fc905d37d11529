import type { CloseOutcome, OpenStatusView, RunningWindow } from './window-types';

/** `/browser/open`'s answer for a window running here. */
export function openAnswer(window: RunningWindow, alreadyStarted: boolean, beforeStart: OpenStatusView, afterStart: OpenStatusView) {
  return {
    // Numbers, as in every other answer of the agent and the cloud.
    id: window.id,
    browserId: window.id,
    uuid: window.uuid,
    pid: window.pid,
    alreadyStarted,
    profileDir: window.profileDir,
    configPath: window.configPath,
    wsEndpoint: window.wsEndpoint,
    port: window.port,
    ...(window.exit ? { ipCheck: window.exit } : {}),
    // Where the stored fingerprint could not be shown as it is (an older window's impossible values).
    fingerprintAdjustments: window.fingerprintAdjustments ?? [],
    ...(window.restore ? { profileRestore: window.restore } : {}),
    ...(window.profileSync ? { profileSync: window.profileSync } : {}),
    openedStatus: {
      beforeStart: { openStatus: beforeStart.openStatus, openDeviceId: beforeStart.openDeviceId },
      afterStart: { openStatus: afterStart.openStatus, openDeviceId: afterStart.openDeviceId },
    },
  };
}

/** `/browser/close`'s answer: what the close kept, what the cloud said, the status around it. */
export function closeAnswer(window: RunningWindow, outcome: CloseOutcome, beforeClose: OpenStatusView, afterClose: OpenStatusView) {
  return {
    // Numbers, as in every other answer of the agent and the cloud.
    id: window.id,
    browserId: window.id,
    uuid: window.uuid,
    close: {
      error: outcome.error,
      killed: outcome.killed,
      profileZipPath: outcome.archive?.path ?? '',
      profileZipName: outcome.archive?.name ?? '',
      profileZipSize: outcome.archive?.size ?? 0,
      ...(outcome.profileSync ? { profileSync: outcome.profileSync } : {}),
    },
    cookies: outcome.cookies,
    backendClose: outcome.backendClose,
    ...(outcome.oneTime ? { oneTime: outcome.oneTime } : {}),
    openedStatus: { beforeClose, afterClose },
  };
}
