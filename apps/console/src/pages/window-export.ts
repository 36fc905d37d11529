import { api } from '../api';
import type { WindowRow } from './window-changes';
import { toCsv } from './csv';

/** The columns of an export: the ones an import reads back (a proxy's password is never written). */
export const EXPORT_HEADER = ['id', 'uuid', 'name', 'group', 'tags', 'remark', 'proxy', 'os', 'createdAt'];

const OS_OF: Record<string, string> = { Win32: 'windows', MacIntel: 'macos', 'Linux x86_64': 'linux' };

function proxyOf(w: WindowRow): string {
  if (w.proxyMethod !== 2 || !w.host || w.proxyType === 'direct') return '';
  const user = w.proxyUserName ? `${encodeURIComponent(w.proxyUserName)}@` : '';
  return `${w.proxyType}://${user}${w.host}:${w.port ?? ''}`;
}

export function exportRow(w: WindowRow & { createdAt?: string }): unknown[] {
  return [
    w.id,
    w.uuid,
    w.name,
    w.groupName,
    w.tags.map((t) => t.name).join(', '),
    w.remark,
    proxyOf(w),
    OS_OF[String(w.browserFingerPrint?.os)] ?? '',
    w.createdAt ?? '',
  ];
}

/** Every window the list's filters show, page by page, as CSV (cells a spreadsheet would run are quoted inert). */
export async function exportWindows(query: Record<string, unknown>, progress: (done: number, total: number) => void): Promise<string> {
  const rows: unknown[][] = [];
  for (let page = 0; ; page++) {
    const answer = await api<{ list: (WindowRow & { createdAt?: string })[]; total: number }>('/browser/list', {
      ...query,
      page,
      pageSize: 100,
    });
    rows.push(...answer.list.map(exportRow));
    progress(rows.length, answer.total);
    if (answer.list.length < 100 || rows.length >= answer.total) break;
  }
  return toCsv(EXPORT_HEADER, rows);
}
