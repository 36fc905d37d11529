/**
 * Commands a client of the multiplexer may not send, because they change the window for every
 * client and outlive the one that sent them: the window's identity is its fingerprint (an
 * `emulation.*` override would make it lie, and stay after the client left), its extensions are
 * the agent's (the window allows extension experiments, which run with Firefox's own privileges:
 * an extension a client installs could run programs on this machine), downloads go where
 * the agent keeps them, and cache, header and permission settings for the whole session belong to
 * nobody. The window's size is part of its fingerprint too (a viewport override or a resized
 * window stays after the client left and makes the page disagree with its screen). What a client
 * may reach is the web: a navigation goes to http(s) or about:blank only (never file:, chrome: or
 * the extension's pages, which would hand a client the files of this desktop, the agent's own
 * credentials included), and files reach a page's input only through the agent's upload, which
 * takes their contents. The agent's own client is not asked. Null lets the command pass.
 */
export function sessionWideRefusal(method: string, params: Record<string, unknown>): { error: string; message: string } | null {
  if (method.startsWith('emulation.')) {
    return {
      error: 'unsupported operation',
      message: `${method}: the window's identity is its fingerprint; change it in the window's settings`,
    };
  }
  if (method.startsWith('webExtension.')) {
    return { error: 'unsupported operation', message: `${method}: the window's extensions are the agent's` };
  }
  if (method === 'browsingContext.setViewport' || method === 'browser.setClientWindowState') {
    return {
      error: 'unsupported operation',
      message: `${method}: the window's size is part of its fingerprint; change the screen in the window's settings`,
    };
  }
  if (method === 'browsingContext.navigate' && !webAddress(params.url)) {
    return { error: 'invalid argument', message: 'browsingContext.navigate: url must be an http(s) URL or about:blank' };
  }
  if (method === 'input.setFiles') {
    return {
      error: 'unsupported operation',
      message: 'input.setFiles: files reach a page through the agent (/browser/act upload takes their contents)',
    };
  }
  if (method === 'browser.setDownloadBehavior') {
    return { error: 'unsupported operation', message: 'Downloads are kept by the agent under the window (see /browser/downloads)' };
  }
  const scoped = Array.isArray(params.contexts) && params.contexts.length > 0;
  if ((method === 'network.setExtraHeaders' || method === 'network.setCacheBehavior') && !scoped) {
    return { error: 'unsupported operation', message: `${method} applies to the contexts you name; name them in contexts` };
  }
  if (method === 'permissions.setPermission' && typeof params.userContext !== 'string') {
    return {
      error: 'unsupported operation',
      message: 'permissions.setPermission applies to a user context of your own; name it in userContext',
    };
  }
  return null;
}

/** An address a client may send a tab to: the web, or a blank page. */
function webAddress(url: unknown): boolean {
  if (typeof url !== 'string') return false;
  if (url === 'about:blank') return true;
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
