import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** TCP ports this process (or `pid`, one of the same user) listens on, read from /proc: its socket inodes matched to LISTEN rows. */
export function listeningTcpPorts(pid: number | 'self' = 'self'): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]);
    } catch {
      // The descriptor closed while we read the folder.
    }
  }
  const ports: number[] = [];
  for (const table of [`/proc/${pid}/net/tcp`, `/proc/${pid}/net/tcp6`]) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A' || !inodes.has(cols[9])) continue;
      ports.push(parseInt(cols[1].split(':')[1], 16));
    }
  }
  return ports;
}
