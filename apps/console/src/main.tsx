import { lazy, StrictMode, Suspense, useCallback, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { setNonce } from 'get-nonce';
import type { MeResponse } from '@cos/contracts';
import { api, setSignedOutHandler, signOut } from './api';
import { listen } from './live';
import { firstSession } from './first-load';
import { PageBoundary } from './page-boundary';
import { SignIn } from './sign-in';
import { AcceptInvitation, InvitationWhileSignedIn } from './pages/accept';
import { WindowsPage } from './pages/windows';
import { can, SessionContext } from './session';
import { ThemeButton } from './theme';
import './styles.css';
import './feedback.css';

// The styles dialogs add while open (their scroll lock) carry this page's nonce, which its policy lets in.
const nonce = document.querySelector<HTMLMetaElement>('meta[property="csp-nonce"]')?.nonce;
if (nonce) setNonce(nonce);

// The windows page comes with the console; every other page is loaded when first opened.
const AuditPage = lazy(() => import('./pages/audit').then((m) => ({ default: m.AuditPage })));
const DevicesPage = lazy(() => import('./pages/devices').then((m) => ({ default: m.DevicesPage })));
const GroupsPage = lazy(() => import('./pages/groups').then((m) => ({ default: m.GroupsPage })));
const MembersPage = lazy(() => import('./pages/members').then((m) => ({ default: m.MembersPage })));
const ProxiesPage = lazy(() => import('./pages/proxies').then((m) => ({ default: m.ProxiesPage })));
const RecyclePage = lazy(() => import('./pages/recycle').then((m) => ({ default: m.RecyclePage })));
const RunsPage = lazy(() => import('./pages/runs').then((m) => ({ default: m.RunsPage })));
const SchedulesPage = lazy(() => import('./pages/schedules').then((m) => ({ default: m.SchedulesPage })));
const TasksPage = lazy(() => import('./pages/tasks').then((m) => ({ default: m.TasksPage })));
const WebhooksPage = lazy(() => import('./pages/webhooks').then((m) => ({ default: m.WebhooksPage })));
const TokensPage = lazy(() => import('./pages/tokens').then((m) => ({ default: m.TokensPage })));
const VariablesPage = lazy(() => import('./pages/variables').then((m) => ({ default: m.VariablesPage })));

const PAGES = [
  { hash: 'windows', title: 'Windows', show: (me: MeResponse) => can(me, 'browser:list'), Page: WindowsPage },
  { hash: 'devices', title: 'Devices', show: () => true, Page: DevicesPage },
  { hash: 'tasks', title: 'Tasks', show: () => true, Page: TasksPage },
  { hash: 'runs', title: 'Runs', show: () => true, Page: RunsPage },
  { hash: 'schedules', title: 'Schedules', show: () => true, Page: SchedulesPage },
  { hash: 'variables', title: 'Variables', show: () => true, Page: VariablesPage },
  { hash: 'webhooks', title: 'Webhooks', show: (me: MeResponse) => can(me, 'webhook:manage'), Page: WebhooksPage },
  { hash: 'recycle', title: 'Recycle bin', show: (me: MeResponse) => can(me, 'browser:list'), Page: RecyclePage },
  { hash: 'groups', title: 'Groups and tags', show: () => true, Page: GroupsPage },
  { hash: 'proxies', title: 'Proxies', show: (me: MeResponse) => can(me, 'proxy:manage'), Page: ProxiesPage },
  { hash: 'members', title: 'Members', show: (me: MeResponse) => can(me, 'team:manage'), Page: MembersPage },
  { hash: 'audit', title: 'Audit log', show: (me: MeResponse) => can(me, 'team:manage'), Page: AuditPage },
  { hash: 'tokens', title: 'API tokens', show: () => true, Page: TokensPage },
];

function useHash(): string {
  const [hash, setHash] = useState(() => location.hash.replace(/^#\/?/, ''));
  useEffect(() => {
    const changed = () => setHash(location.hash.replace(/^#\/?/, ''));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return hash;
}

/** The console for whoever `signedIn` is (who the session was as the page loaded), or the sign-in page. */
function App({ signedIn }: { signedIn: MeResponse | null }) {
  const [me, setMe] = useState(signedIn);
  const [live, setLive] = useState(0);
  const [signOutFailed, setSignOutFailed] = useState('');
  const hash = useHash();
  const loadMe = useCallback(() => api<MeResponse>('/auth/me').then(setMe, () => setMe(null)), []);

  useEffect(() => setSignedOutHandler(() => setMe(null)), []);
  // At phone width the pages' links are one row that scrolls sideways: the current one is kept in view.
  useEffect(() => {
    const nav = document.querySelector<HTMLElement>('nav[aria-label="Pages"]');
    const link = nav?.querySelector<HTMLElement>('a[aria-current="page"]');
    if (!nav || !link || nav.scrollWidth <= nav.clientWidth) return;
    const [box, at] = [nav.getBoundingClientRect(), link.getBoundingClientRect()];
    nav.scrollLeft += at.left - box.left - (box.width - at.width) / 2;
  }, [hash, me]);
  // Live updates: any change the caller may see bumps a counter the pages reload on; so does the
  // cloud answering again after a while it could not be reached (what changed meanwhile is read again).
  // A stream opened again (the cloud ends it when the caller's access changes) reads who they are
  // again, so pages and controls follow new permissions without a reload.
  const [unreachable, setUnreachable] = useState(false);
  const signedInAs = me ? `${me.team.id}:${me.user.id}` : null;
  useEffect(
    () =>
      signedInAs
        ? listen(
            () => setLive((n) => n + 1),
            (reachable) => {
              setUnreachable(!reachable);
              if (reachable) setLive((n) => n + 1);
            },
            () => {
              void api<MeResponse>('/auth/me').then(setMe, () => undefined);
              setLive((n) => n + 1);
            },
          )
        : undefined,
    [signedInAs],
  );

  // An invitation link opens its own page when nobody is signed in here.
  if (!me && (hash === 'accept' || hash.startsWith('accept?'))) return <AcceptInvitation onSignedIn={() => void loadMe()} />;
  if (!me) return <SignIn onSignedIn={() => void loadMe()} />;
  if (hash === 'accept' || hash.startsWith('accept?'))
    return <InvitationWhileSignedIn email={me.user.email} signOut={() => signOut().then(() => setMe(null))} />;
  const pages = PAGES.filter((p) => p.show(me));
  // A page may take a path of its own after its name (#/runs/ID).
  const current = pages.find((p) => hash === p.hash || hash.startsWith(`${p.hash}/`)) ?? pages[0];
  return (
    <SessionContext.Provider value={me}>
      <div className="app">
        <header className="top">
          <strong>cos</strong>
          <nav aria-label="Pages">
            {pages.map((p) => (
              <a key={p.hash} href={`#/${p.hash}`} aria-current={p === current ? 'page' : undefined}>
                {p.title}
              </a>
            ))}
          </nav>
          <div className="who">
            <span>
              {me.user.email} ({me.user.role}, {me.team.name})
            </span>
            <ThemeButton />
            <button
              type="button"
              onClick={() =>
                void signOut().then(
                  () => (setSignOutFailed(''), setMe(null)),
                  (e: unknown) => setSignOutFailed(`Sign out failed: ${e instanceof Error ? e.message : String(e)}`),
                )
              }
            >
              Sign out
            </button>
            {signOutFailed && (
              <small className="refusal" role="alert">
                {signOutFailed}
              </small>
            )}
          </div>
        </header>
        <main>
          {unreachable && (
            <p className="refusal" role="status">
              The cloud cannot be reached: trying again every 2 seconds. What this page shows may be out of date until it answers.
            </p>
          )}
          <h1>{current.title}</h1>
          <PageBoundary page={current.hash}>
            <Suspense fallback={<p className="status">Loading…</p>}>
              <current.Page live={live} />
            </Suspense>
          </PageBoundary>
        </main>
      </div>
    </SessionContext.Provider>
  );
}

// Drawn once the session is known (index.html says "Loading…" until then): the refresh's answer says
// who is signed in, so the page is drawn while its first rows are still on their way.
void firstSession.then((signedIn) =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App signedIn={signedIn} />
    </StrictMode>,
  ),
);
