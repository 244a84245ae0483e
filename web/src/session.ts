/**
 * @module Who is signed in. A cookie session (once the server has `/api/v2/session`) or an API
 * token kept in sessionStorage; either way `GET /api/v2/me` says who we are.
 */
import { api, ApiError, setCsrfToken, setStoredToken, storedToken } from './api/http.js';

export interface Me {
  id: string;
  login: string;
  name: string;
  role: 'admin' | 'member' | 'viewer';
  organization_id: string;
}

/** The signed-in user, or null. */
export async function loadMe(): Promise<Me | null> {
  try {
    const session = await api<{ csrf_token?: string }>('GET', '/api/v2/session').catch(() => ({} as { csrf_token?: string }));
    setCsrfToken(session.csrf_token);
    return await api<Me>('GET', '/api/v2/me');
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      if (storedToken()) setStoredToken(null);
      return null;
    }
    throw error;
  }
}

/** Password sign-in through a cookie session. Throws ApiError (404 = the server has no sessions yet). */
export async function signInWithPassword(email: string, password: string): Promise<void> {
  const result = await api<{ csrf_token?: string }>('POST', '/api/v2/session', { email, password });
  setCsrfToken(result.csrf_token);
}

/** Token sign-in: checks the token against `/api/v2/me` before keeping it for this tab. */
export async function signInWithToken(token: string): Promise<void> {
  setStoredToken(token.trim());
  try {
    await api<Me>('GET', '/api/v2/me');
  } catch (error) {
    setStoredToken(null);
    throw error;
  }
}

export async function signOut(): Promise<void> {
  setStoredToken(null);
  try {
    await api('DELETE', '/api/v2/session');
  } catch {
    // No session endpoint (token sign-in): forgetting the token is signing out.
  }
  setCsrfToken(undefined);
}
