import type { DeviceView } from '@cos/contracts';
import { api } from '../api';
import { Table } from '../table';
import { Empty, Status, useLoad } from '../ui';
import { useEffect } from 'react';
import { can, useSession } from '../session';

const GB = 1024 ** 3;

/** The devices whose agents were signed in: the caller's own, every member's for team:manage. Reloaded on device events and every 15 s. */
export function DevicesPage({ live }: { live: number }) {
  const devices = useLoad(() => api<{ list: DeviceView[]; offlineAfterSeconds: number }>('/device/list'), [live]);
  const { reload } = devices;
  const seesWindows = can(useSession(), 'browser:list');
  useEffect(() => {
    const timer = setInterval(reload, 15_000);
    return () => clearInterval(timer);
  }, [reload]);
  return (
    <>
      {!seesWindows && (
        <p className="notice" role="note">
          Your access does not include the team's windows yet. Ask a team admin to give you the permissions you need on the Members page.
        </p>
      )}
      <p>
        A device is online while its agent keeps its line to the cloud; it is offline {devices.data?.offlineAfterSeconds ?? '…'} s after it
        was last heard.{seesWindows && ' Open windows on a device from the Windows page.'}
      </p>
      <Status text={devices.error} />
      {devices.data?.list.length === 0 ? (
        <Empty>No devices yet. Install the local agent on a computer and sign it in; it shows here while it runs.</Empty>
      ) : (
        <Table
          label="Devices"
          rows={devices.data?.list}
          rowId={(d) => d.deviceId}
          columns={[
            { header: 'Device', wrap: true, cell: (d) => `${d.hostname} (${d.deviceId})` },
            { header: 'Owner', wrap: true, cell: (d) => d.email },
            { header: 'Status', cell: (d) => (d.online ? 'online' : 'offline') },
            { header: 'Agent', wrap: true, cell: (d) => `${d.version} on ${d.platform}` },
            { header: 'Windows running', cell: (d) => (d.online ? d.capacity.windowsRunning : '—') },
            {
              header: 'Free memory',
              cell: (d) =>
                d.online ? `${(d.capacity.freeMemoryBytes / GB).toFixed(1)} of ${(d.capacity.totalMemoryBytes / GB).toFixed(1)} GB` : '—',
            },
            { header: 'Last seen', cell: (d) => new Date(d.lastSeenAt).toLocaleString() },
          ]}
        />
      )}
    </>
  );
}
