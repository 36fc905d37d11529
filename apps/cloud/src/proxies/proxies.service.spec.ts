/* eslint-disable @typescript-eslint/require-await -- the fake store answers at once, through the store's promises */
import { ResultCode } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { AuditRecorder } from '../audit/audit-log.fake';
import type { AuditLog } from '../audit/audit-log';
import { fakeOf, transactions } from '../common/unit.fake';
import type { CloudConfig } from '../config/cloud-config';
import type { SecretBox } from '../crypto/secret-box';
import { ProxiesService } from './proxies.service';
import type { ProxyStore } from './proxy-store';
import type { ProxyTargetPolicy } from './proxy-target-policy';

/** When a saved proxy may be deleted, on an in-memory store. */
describe('ProxiesService.delete', () => {
  const TEAM = 1;
  const auth = new AuthContext(7, TEAM, 'owner', [], 'all', [], 's', 'dev-1');
  /** proxy id → [team, windows binding it] */
  let proxies: Map<number, [number, number]>;
  let audit: AuditRecorder;
  let service: ProxiesService;

  beforeEach(() => {
    proxies = new Map([
      [1, [TEAM, 0]],
      [2, [TEAM, 3]],
      [3, [TEAM + 1, 0]],
    ]);
    audit = new AuditRecorder();
    const store = fakeOf<ProxyStore>({
      lock: async (_m, teamId, id) => proxies.get(id)?.[0] === teamId,
      windowsUsing: async (_m, id) => proxies.get(id)![1],
      // Proxy 2's windows are in group 5 only.
      usedOutside: async (_m, id, groups) => id === 2 && !groups.includes(5),
      delete: async (_m, id) => void proxies.delete(id),
    });
    service = new ProxiesService(
      transactions(),
      fakeOf<SecretBox>({}),
      fakeOf<CloudConfig>({}),
      fakeOf<ProxyTargetPolicy>({}),
      fakeOf<AuditLog>(audit),
      store,
    );
  });

  it('deletes a proxy no window binds, and records it', async () => {
    await service.delete(auth, 1);
    expect(proxies.has(1)).toBe(false);
    expect(audit.entries).toEqual([{ teamId: TEAM, actorId: 7, kind: 'proxy.deleted', data: { proxyId: 1 } }]);
  });

  it('keeps a proxy windows still bind, saying how many', async () => {
    await expect(service.delete(auth, 2)).rejects.toMatchObject({
      code: ResultCode.Conflict,
      message: 'Proxy 2 is used by 3 windows; bind them to another proxy first',
    });
    expect(proxies.has(2)).toBe(true);
    expect(audit.entries).toEqual([]);
  });

  it('refuses a member limited to other groups a proxy their windows do not all share, before counting', async () => {
    const scoped = (groups: number[]) => new AuthContext(8, TEAM, 'member', ['proxy:manage'], 'groups', groups, 's', 'dev-2');
    await expect(service.delete(scoped([6]), 2)).rejects.toMatchObject({
      code: ResultCode.Forbidden,
      message: 'Proxy 2 is used by windows outside your window scope',
    });
    await expect(service.delete(scoped([5]), 2)).rejects.toMatchObject({ code: ResultCode.Conflict });
    await service.delete(scoped([6]), 1);
    expect([...proxies.keys()]).toEqual([2, 3]);
  });

  it('answers 404 for another team’s proxy as for an unknown one', async () => {
    for (const id of [3, 99])
      await expect(service.delete(auth, id)).rejects.toMatchObject({ code: ResultCode.NotFound, message: `Proxy ${id} not found` });
    expect(proxies.size).toBe(3);
  });
});
