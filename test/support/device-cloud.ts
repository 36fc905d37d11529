import { CloudHarness, startCloud } from './cloud-app';
import { Account, registerOwner } from './factories';
import { line, LineClient } from './line-client';

/** A listening cloud, its first owner, and that owner's session on the device line as a device. */
export async function startDeviceCloud(env: Record<string, string>): Promise<{
  cloud: CloudHarness;
  owner: Account;
  desk: LineClient;
  close: () => Promise<void>;
}> {
  const cloud = await startCloud({ listen: true, env });
  const owner = await registerOwner(cloud);
  const desk = await line(cloud.url, owner.token);
  await desk.hello();
  return {
    cloud,
    owner,
    desk,
    close: async () => {
      desk.ws.terminate();
      await cloud.close();
    },
  };
}
