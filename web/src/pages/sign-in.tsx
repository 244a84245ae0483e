/** @module Sign-in (password through a cookie session, or an API token) and first-run setup. */
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api/http.js';
import { ErrorView } from '../components/ui.js';
import { Link } from '../router.js';
import { signInWithPassword, signInWithToken } from '../session.js';

export function SignInPage(props: { onSignedIn(): void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>();
  const [passwordUnavailable, setPasswordUnavailable] = useState(false);
  const [busy, setBusy] = useState(false);

  const submitPassword = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signInWithPassword(email, password);
      props.onSignedIn();
    } catch (e) {
      if (e instanceof ApiError && e.notAvailable) setPasswordUnavailable(true);
      else setError(e instanceof ApiError && e.status === 401 ? new Error('Wrong email or password.') : e);
    } finally {
      setBusy(false);
    }
  };
  const submitToken = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signInWithToken(token);
      props.onSignedIn();
    } catch (e) {
      setError(e instanceof ApiError && e.status === 401 ? new Error('That token was not accepted.') : e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="auth-page">
      <div className="auth-card">
        <div className="brand brand-large">Kiln</div>
        <h1>Sign in</h1>
        {error ? <ErrorView error={error} /> : null}
        <form onSubmit={submitPassword} className="form">
          <label>Email<input type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required /></label>
          <label>Password<input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required /></label>
          <button type="submit" className="button button-primary" disabled={busy}>Sign in</button>
          {passwordUnavailable ? (
            <div className="notice notice-info" data-testid="password-unavailable">
              Password sign-in is not available on this server yet (no session support). Sign in with an API token below.
            </div>
          ) : null}
        </form>
        <div className="divider"><span>or</span></div>
        <form onSubmit={submitToken} className="form">
          <label>API token<input type="password" name="token" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} required /></label>
          <p className="hint">The token is kept only in this browser tab and forgotten when you sign out or close it.</p>
          <button type="submit" className="button" disabled={busy}>Sign in with token</button>
        </form>
        <p className="hint">First start? <Link to="/setup">Create the first admin</Link>.</p>
      </div>
    </div>
  );
}

export function SetupPage() {
  const [code, setCode] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (password.length < 12) {
      setError(new Error('The password must be at least 12 characters.'));
      return;
    }
    setBusy(true);
    try {
      await api('POST', '/api/v2/setup', { code: code.trim(), email, password });
      setDone(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="auth-page">
      <div className="auth-card">
        <div className="brand brand-large">Kiln</div>
        <h1>First-run setup</h1>
        {done ? (
          <div className="notice notice-success" data-testid="setup-done">The admin account was created. <Link to="/signin">Sign in</Link>.</div>
        ) : (
          <>
            <p className="hint">Create the first administrator. The one-time setup code is printed in the server's log at first start.</p>
            {error ? <ErrorView error={error} /> : null}
            <form onSubmit={submit} className="form">
              <label>Setup code<input name="code" autoComplete="off" value={code} onChange={(e) => setCode(e.target.value)} required /></label>
              <label>Admin email<input type="email" name="email" value={email} onChange={(e) => setEmail(e.target.value)} required /></label>
              <label>Password (12 characters or more)<input type="password" name="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required /></label>
              <button type="submit" className="button button-primary" disabled={busy}>Create admin</button>
            </form>
          </>
        )}
      </div>
    </div>
  );
}
