import { useState } from 'react';
import { register, sessionEndedWhy, signIn } from './api';
import { Field, Status } from './ui';

/**
 * Signed out: sign in, or create a team (its first owner) when the cloud takes new ones. Members
 * join a team through an invitation link, which opens its own page.
 */
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [creating, setCreating] = useState(false);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [teamName, setTeamName] = useState('');
  // A session the cloud ended (revoked, expired, its cookie used twice) says why, not just the form.
  const [error, setError] = useState(() => {
    const why = sessionEndedWhy();
    return why ? `Signed out: ${why}. Sign in again to go on.` : '';
  });
  const switchTo = (create: boolean) => (setCreating(create), setError(''));
  return (
    <main className="signin">
      <h1>{creating ? 'Create a team' : 'cos console'}</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          (creating ? register(email, password, teamName) : signIn(email, password)).then(onSignedIn, (err: Error) =>
            setError(err.message),
          );
        }}
      >
        <Field label="Email">
          <input type="email" autoComplete="username" required maxLength={254} value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label="Password">
          <input
            type="password"
            autoComplete={creating ? 'new-password' : 'current-password'}
            required
            minLength={creating ? 8 : undefined}
            maxLength={128}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        {creating && (
          <Field label="Team name (optional)">
            <input maxLength={100} value={teamName} onChange={(e) => setTeamName(e.target.value)} />
          </Field>
        )}
        <button type="submit">{creating ? 'Create team and sign in' : 'Sign in'}</button>
        <Status text={error} />
      </form>
      <p>
        {creating ? 'Already in a team? ' : 'New here? '}
        <button type="button" className="link" onClick={() => switchTo(!creating)}>
          {creating ? 'Sign in' : 'Create a team'}
        </button>
        {creating ? '' : ' (a teammate joins through the invitation link an owner or admin sends).'}
      </p>
    </main>
  );
}
