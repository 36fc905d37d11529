import { AuditRow, auditView, sessionLabel } from './audit-visibility';

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
