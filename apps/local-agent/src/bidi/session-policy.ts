/**
 * Commands a client of the multiplexer may not send, because they change the window for every
 * client and outlive the one that sent them: the window's identity is its fingerprint (an
 * `emulation.*` override would make it lie, and stay after the client left), its extensions are
 * the agent's (the window allows extension experiments, which run with Firefox's own privileges:
 * an extension a client installs could run programs on this machine), downloads go where
 * the agent keeps them, and cache, header and permission settings for the whole session belong to
 * nobody. The agent's own client is not asked. Null lets the command pass.
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
