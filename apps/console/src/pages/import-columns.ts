/**
 * From a file's rows to `/browser/import` rows: which column feeds which field, guessed from the
 * header by the names cos, AdsPower and BitBrowser exports use (a person can change every choice),
 * and the proxy put together from separate type/host/port/user/password columns when a file has them.
 */
export const IMPORT_FIELDS = ['name', 'remark', 'group', 'tags', 'proxy', 'cookies', 'os', 'userAgent'] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];
/** Proxy parts some exports keep in columns of their own. */
export const PROXY_PARTS = ['proxyType', 'host', 'port', 'proxyUserName', 'proxyPassword'] as const;
export type ProxyPart = (typeof PROXY_PARTS)[number];
export type Target = ImportField | ProxyPart;

/** Header names (lower case, spaces and underscores ignored) each field is guessed from. */
const KNOWN: Record<Target, string[]> = {
  name: ['name', 'profilename', 'windowname', 'browsername', 'accountname', '名称', '窗口名称'],
  remark: ['remark', 'remarks', 'note', 'notes', 'description', '备注'],
  group: ['group', 'groupname', '分组', '分组名称'],
  tags: ['tags', 'tag', 'labels', '标签'],
  proxy: ['proxy', 'proxyurl', 'proxyline', '代理'],
  cookies: ['cookie', 'cookies', 'cookiejson'],
  os: ['os', 'platform', 'ostype', 'system', '系统'],
  userAgent: ['ua', 'useragent', 'user-agent'],
  proxyType: ['proxytype', 'proxyprotocol', 'protocol', '代理类型'],
  host: ['host', 'proxyhost', 'ip', 'proxyip', '代理主机'],
  port: ['port', 'proxyport', '代理端口'],
  proxyUserName: ['proxyusername', 'proxyuser', 'proxylogin', 'username', 'user', '代理账号'],
  proxyPassword: ['proxypassword', 'proxypass', 'password', 'pass', '代理密码'],
};

const squash = (header: string) =>
  header
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '');

/** Column index per target, guessed from the header (each column feeds one target at most). */
export function guessMapping(header: readonly string[]): Partial<Record<Target, number>> {
  const mapping: Partial<Record<Target, number>> = {};
  const used = new Set<number>();
  for (const target of [...IMPORT_FIELDS, ...PROXY_PARTS] as Target[]) {
    const column = header.findIndex((h, i) => !used.has(i) && KNOWN[target].includes(squash(h)));
    if (column >= 0) {
      mapping[target] = column;
      used.add(column);
    }
  }
  return mapping;
}

/** AdsPower and BitBrowser name operating systems their own way; anything else is left to the cloud's check. */
function osOf(value: string): string {
  const v = value.trim().toLowerCase();
  if (/^win/.test(v)) return 'windows';
  if (/^(mac|darwin|osx)/.test(v)) return 'macos';
  if (/^linux/.test(v)) return 'linux';
  return value.trim();
}

/** One file row as an import row: empty cells are left out, tags split on commas or semicolons. */
export function toImportRow(cells: readonly string[], mapping: Partial<Record<Target, number>>): Record<string, unknown> {
  const cell = (target: Target) => {
    const column = mapping[target];
    const raw = column === undefined ? undefined : cells[column];
    // A cell an export made inert ('=…, '+…) reads back as it was.
    const value = raw && /^'[=+\-@\t\r]/.test(raw) ? raw.slice(1) : raw;
    return value === undefined || value.trim() === '' ? undefined : value;
  };
  const row: Record<string, unknown> = {};
  for (const field of ['name', 'remark', 'group', 'cookies', 'userAgent'] as const) {
    const value = cell(field);
    if (value !== undefined) row[field] = field === 'name' || field === 'group' ? value.trim() : value;
  }
  const os = cell('os');
  if (os !== undefined) row.os = osOf(os);
  const tags = cell('tags');
  if (tags !== undefined)
    row.tags = tags
      .split(/[,;]/)
      .map((t) => t.trim())
      .filter(Boolean);
  const proxy = cell('proxy') ?? proxyFromParts(cell);
  if (proxy !== undefined) row.proxy = proxy.trim();
  return row;
}

/** `type://user:pass@host:port` from separate columns (user and password percent-encoded). */
function proxyFromParts(cell: (target: Target) => string | undefined): string | undefined {
  const host = cell('host')?.trim();
  const port = cell('port')?.trim();
  if (!host || !port) return undefined;
  const type = (cell('proxyType') ?? 'http').trim().toLowerCase();
  if (type === 'noproxy' || type === 'direct' || type === 'none') return undefined;
  const user = cell('proxyUserName');
  const password = cell('proxyPassword');
  const login = user ? `${encodeURIComponent(user)}${password ? `:${encodeURIComponent(password)}` : ''}@` : '';
  return `${type}://${login}${host}:${port}`;
}
