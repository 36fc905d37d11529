import { workerDebuggerScript } from './worker-realm';

/**
 * The privileged part of the window's extension: a WebExtension experiment (Firefox ESR allows
 * them with `extensions.experiments.enabled`) that puts the window's noise into every web worker.
 *
 * - `api.js` runs in the parent process when the extension starts. It maps
 *   `resource://cos-worker-realm/` onto the extension's `worker/` folder (a substitution web content
 *   cannot load from) and loads `process.js` into every content process, present and future.
 * - `process.js` listens for workers being created in its process. Each web worker (not Firefox's
 *   own, not an extension's) is held before its first script (`setDebuggerReady(false)`), gets a
 *   worker debugger running `worker/worker-realm.js` (see worker-realm.ts), and is let go when that
 *   says it is ready — or fails, or after 10 s, so a worker never hangs on it.
 *
 * Everything privileged stays in Firefox's chrome code: a page or a worker sees no global, no
 * changed script and its own `location`.
 */
const HOST = 'cos-worker-realm';
const DEBUGGER_SCRIPT = `resource://${HOST}/worker-realm.js`;
// Ready in tens of milliseconds where measured; a worker let go before that runs unnoised, so the
// bound is only against a debugger that never answers.
const READY_TIMEOUT_MS = 10_000;

const API = `/* global ExtensionAPI, Services, Ci */
const HOST = ${JSON.stringify(HOST)};
const resources = () => Services.io.getProtocolHandler('resource').QueryInterface(Ci.nsIResProtocolHandler);
this.workerRealm = class extends ExtensionAPI {
  onStartup() {
    resources().setSubstitution(HOST, Services.io.newURI(this.extension.baseURI.resolve('worker/')));
    Services.ppmm.loadProcessScript(this.extension.baseURI.resolve('process.js'), true);
  }
  onShutdown() {
    Services.ppmm.removeDelayedProcessScript(this.extension.baseURI.resolve('process.js'));
    resources().setSubstitution(HOST, null);
  }
  getAPI() {
    return { workerRealm: {} };
  }
};
`;

const PROCESS = `/* global Cc, Ci */
(() => {
  const manager = Cc['@mozilla.org/dom/workers/workerdebuggermanager;1'].getService(Ci.nsIWorkerDebuggerManager);
  const web = (debuggee) => {
    const principal = debuggee.principal;
    return !debuggee.isChrome && principal && !principal.isSystemPrincipal && !principal.isAddonOrExpandedAddonPrincipal;
  };
  manager.addListener({
    onRegister(debuggee) {
      if (!web(debuggee)) return;
      const timer = Cc['@mozilla.org/timer;1'].createInstance(Ci.nsITimer);
      let held = true;
      const release = () => {
        if (!held) return;
        held = false;
        timer.cancel();
        try {
          debuggee.setDebuggerReady(true);
        } catch {
          // the worker ended meanwhile
        }
      };
      try {
        debuggee.setDebuggerReady(false);
        debuggee.addListener({ onMessage: (message) => message === 'ready' && release(), onError: release, onClose: release });
        timer.initWithCallback(release, ${READY_TIMEOUT_MS}, Ci.nsITimer.TYPE_ONE_SHOT);
        debuggee.initialize(${JSON.stringify(DEBUGGER_SCRIPT)});
      } catch {
        release();
      }
    },
    onUnregister() {},
  });
})();
`;

/** The experiment's entries in the extension's manifest. */
export const WORKER_EXPERIMENT = {
  workerRealm: {
    schema: 'worker-schema.json',
    parent: { scopes: ['addon_parent'], script: 'worker-api.js', events: ['startup'], paths: [['workerRealm']] },
  },
};

/** The preference that lets a temporary extension carry an experiment (ESR, Developer Edition, Nightly). */
export const EXPERIMENT_PREFS = { 'extensions.experiments.enabled': true };

/** The experiment's files, by path inside the extension. */
export function workerExtensionFiles(seed: string): Record<string, string> {
  return {
    'worker-schema.json': JSON.stringify([{ namespace: 'workerRealm', functions: [] }]),
    'worker-api.js': API,
    'process.js': PROCESS,
    'worker/worker-realm.js': workerDebuggerScript(seed),
  };
}
