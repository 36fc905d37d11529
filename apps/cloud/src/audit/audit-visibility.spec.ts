import { AuthContext } from '../access/auth-context';
import { AuditRow, auditView, sessionLabel, visibleTo } from './audit-visibility';

describe('auditView', () => {
  const row = (data: Record<string, unknown>): AuditRow => ({
    id: '1',
    team_id: 1,
    actor_id: 2,
    kind: 'window.cookies_exported',
    window_id: 3,
    group_id: null,
    device_id: 'dev-x',
    data,
    created_at: new Date(0),
  });
  const SESSION = '0b7c5a52-7f0e-4a4e-9d7c-2f4f9a1e6c11';

  it('shows a row recorded with a session id under its label, never the id', () => {
    const shown = auditView(row({ count: 2, via: 'session', sessionId: SESSION }));
    expect(shown.data).toEqual({ count: 2, via: 'session', session: sessionLabel(SESSION) });
    expect(JSON.stringify(shown)).not.toContain(SESSION);
  });

  it('labels sessions apart, the same session alike', () => {
    expect(sessionLabel(SESSION)).toMatch(/^[0-9a-f]{16}$/);
    expect(sessionLabel(SESSION)).toBe(sessionLabel(SESSION));
    expect(sessionLabel(SESSION)).not.toBe(sessionLabel(SESSION.replace('0b7c', '0b7d')));
  });

  it('leaves other data as it was', () => {
    const data = { via: 'token', tokenId: 4 };
    expect(auditView(row(data)).data).toBe(data);
  });
});

describe('visibleTo', () => {
  const member = (permissions: string[]) => new AuthContext(5, 1, 'member', permissions, 'all', [], 'session', 'dev-1');
  const event = (kind: string) => ({ team_id: 1, kind, group_id: null, actor_id: 2 });

  it("shows a saved proxy's events only to proxy:manage, team:manage alone not", () => {
    expect(visibleTo(member(['team:manage']), event('proxy.added'))).toBe(false);
    expect(visibleTo(member(['proxy:manage']), event('proxy.added'))).toBe(true);
    expect(visibleTo(member(['team:manage']), event('member.added'))).toBe(true);
    expect(visibleTo(new AuthContext(5, 1, 'owner', [], 'all', [], 'session', 'dev-1'), event('proxy.deleted'))).toBe(true);
    expect(visibleTo(member(['proxy:manage']), { ...event('proxy.added'), team_id: 2 })).toBe(false);
  });
});
