import { useEffect, useState } from 'react';
import { acceptInvitation, checkInvitation } from '../api';
import { Field, Status } from '../ui';

/** The token of an invitation link (`#/accept?token=…`), read once as the page opens. */
function tokenFromHash(): string {
  return new URLSearchParams(location.hash.split('?')[1] ?? '').get('token') ?? '';
}

/**
 * The page an invitation link opens (signed out): who is invited to which team, then a password
 * typed twice, then signed in. The token leaves the address bar at once, so it stays in no history.
 */
export function AcceptInvitation({ onSignedIn }: { onSignedIn: () => void }) {
  const [token] = useState(tokenFromHash);
  const [invitation, setInvitation] = useState<{ email: string; teamName: string; role: string; expiresAt: string } | null>(null);
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    history.replaceState(null, '', `${location.pathname}${location.search}#/accept`);
    if (!token) {
      setError('This link has no invitation in it; open the link you were given again.');
      return;
    }
    checkInvitation(token).then(setInvitation, (e: Error) => setError(e.message));
  }, [token]);
  return (
    <main className="signin">
      <h1>Join {invitation ? invitation.teamName : 'a team'}</h1>
      {invitation && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (password !== again) return setError('The two passwords differ');
            acceptInvitation(token, password).then(
              () => {
                location.hash = '#/';
                onSignedIn();
              },
              (err: Error) => setError(err.message),
            );
          }}
        >
          <p>
            You are invited as {invitation.role} with the email <strong>{invitation.email}</strong> (until{' '}
            {new Date(invitation.expiresAt).toLocaleString()}). Choose your password.
          </p>
          <input type="email" autoComplete="username" value={invitation.email} readOnly hidden />
          <Field label="New password">
            <input
              type="password"
              autoComplete="new-password"
              required
              minLength={8}
              maxLength={128}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </Field>
          <Field label="Password again">
            <input
              type="password"
              autoComplete="new-password"
              required
              minLength={8}
              maxLength={128}
              value={again}
              onChange={(e) => setAgain(e.target.value)}
            />
          </Field>
          <button type="submit">Join and sign in</button>
        </form>
      )}
      <Status text={error} />
      {!invitation && error && <a href="#/">Sign in instead</a>}
    </main>
  );
}

/**
 * An invitation link opened where someone is signed in already. The link is for a new account, so
 * the page says who is signed in, takes the token out of the address bar as the signed-out page
 * does, and offers to sign out and open the invitation here, or to stay.
 */
export function InvitationWhileSignedIn({ email, signOut }: { email: string; signOut: () => Promise<void> }) {
  const [token] = useState(tokenFromHash);
  const [error, setError] = useState('');
  useEffect(() => history.replaceState(null, '', `${location.pathname}${location.search}#/accept`), []);
  return (
    <main className="signin">
      <h1>An invitation link</h1>
      <p>
        This link lets someone join a team with a new account of their own. You are signed in here as <strong>{email}</strong>.
      </p>
      {token ? (
        <button
          type="button"
          onClick={() => {
            // The signed-out page reads the token where a link puts it, and takes it out again at once.
            history.replaceState(null, '', `${location.pathname}${location.search}#/accept?token=${encodeURIComponent(token)}`);
            signOut().catch((e: Error) => {
              history.replaceState(null, '', `${location.pathname}${location.search}#/accept`);
              setError(`Sign out failed: ${e.message}`);
            });
          }}
        >
          Sign out and open the invitation
        </button>
      ) : (
        <p>This link has no invitation in it; open the link you were given again.</p>
      )}{' '}
      <a href="#/">Stay signed in as {email}</a>
      <Status text={error} />
    </main>
  );
}
