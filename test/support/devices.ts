import { AgentHarness, startAgent } from './agent-app';
import type { Account } from './factories';

/**
 * Devices of one user: agents with data folders of their own, each signed in as `account` to its
 * cloud URL (the same cloud for each, or one reached through something in between).
 */
export async function startDevices(account: Account, cloudUrls: string[], env?: Record<string, string>): Promise<AgentHarness[]> {
  const devices: AgentHarness[] = [];
  for (const cloudUrl of cloudUrls) devices.push(await startAgent({ cloudUrl, env }));
  for (const device of devices) await device.login(account.email, account.password);
  return devices;
}

/** Closes each device's windows, then stops it and removes its data folder. */
export async function closeDevices(devices: AgentHarness[]): Promise<void> {
  for (const device of devices) {
    await device.post('/browser/close/all').catch(() => undefined);
    await device.close();
  }
}
