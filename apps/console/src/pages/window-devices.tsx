import type { DeviceView } from '@cos/contracts';
import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { api } from '../api';
import { useSession } from '../session';
import { Field, useLoad } from '../ui';
import type { Run } from '../ui';

const CHOSEN = 'cos.console.device';

/** The devices the caller may open windows on, and the one chosen (kept in this browser); read once `ready`. */
export function useDevices(live: number, ready = true) {
  const devices = useLoad(() => (ready ? api<{ list: DeviceView[] }>('/device/list') : Promise.resolve(null)), [live, ready]);
  const [chosen, setChosen] = useState(() => localStorage.getItem(CHOSEN) ?? '');
  const online = (devices.data?.list ?? []).filter((d) => d.online);
  // The chosen device gone from the list: the first one online instead.
  const device = online.find((d) => d.deviceId === chosen) ?? online[0] ?? null;
  useEffect(() => {
    if (device && device.deviceId !== chosen) setChosen(device.deviceId);
  }, [device, chosen]);
  return {
    list: devices.data?.list ?? [],
    online,
    device,
    choose: (deviceId: string) => (localStorage.setItem(CHOSEN, deviceId), setChosen(deviceId)),
  };
}

export type Devices = ReturnType<typeof useDevices>;

/** Where Open sends windows: a device online now. */
export function DevicePicker({ devices }: { devices: Devices }) {
  const me = useSession();
  if (devices.online.length === 0)
    return (
      <span>
        No device online: on the computer that should run the windows, start the agent (<code>npm start</code> starts one) and sign it in
        with <code>npm run agent -- login --email {me.user.email}</code>; then windows open from here.
      </span>
    );
  return (
    <Field label="Open on device">
      <select value={devices.device?.deviceId ?? ''} onChange={(e) => devices.choose(e.target.value)}>
        {devices.online.map((d) => (
          <option key={d.deviceId} value={d.deviceId}>
            {d.hostname} — {d.email} ({d.capacity.windowsRunning} running)
          </option>
        ))}
      </select>
    </Field>
  );
}

/** A button that runs `action` through `run` then `after`; `name` is its accessible name when its text is short. */
function ActButton(props: {
  run: Run;
  what: string;
  name?: string;
  disabled: boolean;
  action: () => Promise<unknown>;
  after: () => void;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      aria-label={props.name}
      disabled={props.disabled}
      onClick={() => void props.run(props.what, props.action).then(props.after)}
    >
      {props.children}
    </button>
  );
}

/** Opens the windows on the chosen device, one after another (each answered by the device). */
export function OpenOnDevice(props: { ids: number[]; devices: Devices; run: Run; after: () => void; label: string; text?: string }) {
  const device = props.devices.device;
  return (
    <ActButton
      run={props.run}
      what={`Open on ${device?.hostname ?? 'device'}`}
      name={props.text ? props.label : undefined}
      disabled={!device || props.ids.length === 0}
      action={async () => {
        for (const id of props.ids) await api('/browser/open', { id, device: device.deviceId, ifOffline: 'refuse' });
      }}
      after={props.after}
    >
      {props.text ?? props.label}
    </ActButton>
  );
}

/** Closes windows, each on the device that holds it (or the chosen one). */
export function CloseOnDevice(props: {
  windows: { id: number; name: string; openDeviceId: string | null }[];
  devices: Devices;
  run: Run;
  after: () => void;
  label: string;
  text?: string;
}) {
  const chosen = props.devices.device?.deviceId;
  const what = props.windows.length === 1 ? `Close ${props.windows[0].name}` : `Close ${props.windows.length} windows`;
  return (
    <ActButton
      run={props.run}
      what={what}
      name={props.text ? props.label : undefined}
      disabled={props.windows.length === 0 || props.windows.some((w) => !(w.openDeviceId ?? chosen))}
      action={async () => {
        for (const w of props.windows) await api('/browser/close', { id: w.id, device: w.openDeviceId ?? chosen, ifOffline: 'refuse' });
      }}
      after={props.after}
    >
      {props.text ?? props.label}
    </ActButton>
  );
}
