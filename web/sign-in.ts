/// <reference lib="dom" />
/**
 * Sign-in for the page: Cognito's hosted UI with the authorization code flow and PKCE (no client
 * secret in a browser). Tokens stay in this tab's sessionStorage and go only to the page's API.
 */
import type { CognitoSignIn, PageConfig } from './page-config';

export interface Session {
  /** Who is signed in, for the header. */
  readonly name: string;
  /** Value of the Authorization header for the API, if any (none when sign-in is stood in). */
  readonly authorization?: string;
  signOut(): void;
}

const TOKEN_KEY = 'jc-onboarding.id-token';
const VERIFIER_KEY = 'jc-onboarding.pkce-verifier';

/** The session, or undefined when the browser is being sent to sign in. */
export async function signIn(config: PageConfig): Promise<Session | undefined> {
  if (config.signIn.kind === 'local') {
    const name = config.signIn.name;
    return { name, signOut: () => undefined };
  }
  const cognito = config.signIn;
  const redirectUri = `${location.origin}${location.pathname}`;
  const code = new URLSearchParams(location.search).get('code');
  if (code !== null) {
    await exchangeCode(cognito, code, redirectUri);
    history.replaceState(null, '', redirectUri);
  }
  const token = sessionStorage.getItem(TOKEN_KEY);
  const claims = token === null ? undefined : decodeClaims(token);
  if (token === null || claims === undefined || claims.exp * 1000 < Date.now() + 60_000) {
    await startSignIn(cognito, redirectUri);
    return undefined;
  }
  return {
    name: claims.email ?? claims['cognito:username'] ?? 'signed in',
    authorization: `Bearer ${token}`,
    signOut() {
      sessionStorage.removeItem(TOKEN_KEY);
      const logout = new URL('/logout', cognito.domainUrl);
      logout.search = new URLSearchParams({
        client_id: cognito.clientId,
        logout_uri: redirectUri,
      }).toString();
      location.assign(logout.toString());
    },
  };
}

async function startSignIn(cognito: CognitoSignIn, redirectUri: string): Promise<void> {
  const verifier = base64Url(crypto.getRandomValues(new Uint8Array(32)));
  sessionStorage.setItem(VERIFIER_KEY, verifier);
  const challenge = base64Url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  const authorize = new URL('/oauth2/authorize', cognito.domainUrl);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: cognito.clientId,
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...(cognito.identityProvider ? { identity_provider: cognito.identityProvider } : {}),
  }).toString();
  location.assign(authorize.toString());
}

async function exchangeCode(cognito: CognitoSignIn, code: string, redirectUri: string): Promise<void> {
  const verifier = sessionStorage.getItem(VERIFIER_KEY) ?? '';
  sessionStorage.removeItem(VERIFIER_KEY);
  const answer = await fetch(new URL('/oauth2/token', cognito.domainUrl), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: cognito.clientId,
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    }),
  });
  if (!answer.ok) throw new Error(`sign-in failed (${answer.status}): try again`);
  const tokens = (await answer.json()) as { id_token?: string };
  if (tokens.id_token) sessionStorage.setItem(TOKEN_KEY, tokens.id_token);
}

type Claims = { exp: number; email?: string; 'cognito:username'?: string };

function decodeClaims(token: string): Claims | undefined {
  try {
    const payload = token.split('.')[1] ?? '';
    return JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as Claims;
  } catch {
    return undefined;
  }
}

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}
