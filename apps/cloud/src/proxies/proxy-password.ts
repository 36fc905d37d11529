/**
 * A stored password goes only to the endpoint it was given for: moving the endpoint (method,
 * type, host or port) without sending the password again drops it, so a member who may edit a
 * window or a saved proxy cannot point its password at a listener of their own.
 */
export function keepsPassword(
  before: { method?: number; type: string; host: string; port: number | null },
  after: { method?: number; type: string; host: string; port: number | null },
  passwordSent: boolean,
): boolean {
  if (passwordSent) return true;
  return before.method === after.method && before.type === after.type && before.host === after.host && before.port === after.port;
}
