/**
 * Sign-in. Locally (`mode: "dev"`): a dev sign-in for a tenant's admin, which asks the local stack
 * for a token. On AWS (`mode: "cognito"`): Cognito's hosted UI with the authorization-code flow and
 * PKCE; the code is exchanged for tokens at the Cognito domain's token endpoint. The token is kept
 * in sessionStorage only (gone when the tab closes).
 */

export interface SiteConfig {
  mode: 'dev' | 'cognito';
  /** The API's base URL ('' when the page is served by the API's host, as locally). */
  apiUrl: string;
  cognitoDomain?: string;
  clientId?: string;
  redirectUri?: string;
}

const TOKEN = 'crm-admin-token';
const VERIFIER = 'crm-admin-pkce';

export async function loadConfig(): Promise<SiteConfig> {
  const response = await fetch('./config.json');
  if (!response.ok) return { mode: 'dev', apiUrl: '' };
  return (await response.json()) as SiteConfig;
}

export const storedToken = (): string | undefined => sessionStorage.getItem(TOKEN) ?? undefined;
export const storeToken = (token: string) => sessionStorage.setItem(TOKEN, token);
/**
 * Forgets the token; on AWS also ends the hosted UI's session (its cookie would sign the admin
 * straight back in), which returns to the page.
 */
export function signOut(config?: SiteConfig): void {
  sessionStorage.removeItem(TOKEN);
  if (config?.mode === 'cognito' && config.cognitoDomain && config.clientId && config.redirectUri) {
    const url = new URL(`https://${config.cognitoDomain}/logout`);
    url.search = new URLSearchParams({ client_id: config.clientId, logout_uri: config.redirectUri }).toString();
    location.assign(url.toString());
  }
}

/** The claims of a JWT, unverified (the API verifies it): tenant and role for the header. */
export function claimsOf(token: string): Record<string, unknown> {
  try {
    const payload = token.split('.')[1] ?? '';
    return JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return {};
  }
}

/** Locally: a token for the tenant's admin from the local stack's dev sign-in. */
export async function devSignIn(config: SiteConfig, tenantId: string): Promise<string> {
  const response = await fetch(`${config.apiUrl}/_local/dev-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tenantId, role: 'admin' }) });
  const json = (await response.json().catch(() => ({}))) as { token?: string; error?: { message?: string } };
  if (!response.ok || !json.token) throw new Error(json.error?.message ?? 'Die Anmeldung ist fehlgeschlagen.');
  return json.token;
}

const base64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** On AWS: to Cognito's hosted UI, with a PKCE challenge whose verifier waits in sessionStorage. */
export async function cognitoSignIn(config: SiteConfig): Promise<void> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem(VERIFIER, JSON.stringify({ verifier, state }));
  const url = new URL(`https://${config.cognitoDomain}/oauth2/authorize`);
  url.search = new URLSearchParams({ response_type: 'code', client_id: config.clientId!, redirect_uri: config.redirectUri!, scope: 'openid email profile', code_challenge_method: 'S256', code_challenge: challenge, state }).toString();
  location.assign(url.toString());
}

/** Back from the hosted UI with `?code=&state=`: the code exchanged for tokens (the ID token carries the tenant and role). */
export async function completeCognitoSignIn(config: SiteConfig): Promise<string | undefined> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  if (!code) return undefined;
  const saved = JSON.parse(sessionStorage.getItem(VERIFIER) ?? '{}') as { verifier?: string; state?: string };
  sessionStorage.removeItem(VERIFIER);
  history.replaceState(null, '', location.pathname + location.hash);
  if (!saved.verifier || saved.state !== params.get('state')) throw new Error('Die Anmeldung konnte nicht bestätigt werden. Bitte erneut anmelden.');
  const response = await fetch(`https://${config.cognitoDomain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: config.clientId!, code, redirect_uri: config.redirectUri!, code_verifier: saved.verifier }).toString(),
  });
  const json = (await response.json().catch(() => ({}))) as { id_token?: string };
  if (!response.ok || !json.id_token) throw new Error('Die Anmeldung ist fehlgeschlagen.');
  return json.id_token;
}
