import { useEffect, useState } from 'preact/hooks';
import { createApi, unwrap, type ApiError } from './api.ts';
import { claimsOf, cognitoSignIn, completeCognitoSignIn, devSignIn, loadConfig, signOut, storedToken, storeToken, type SiteConfig } from './auth.ts';
import { currentRoute, type Agency } from './context.ts';
import { errorMessage } from './messages.ts';
import { Editor } from './views/editor.tsx';
import { ExecutionView } from './views/execution.tsx';
import { AutomationList } from './views/list.tsx';

/** The page: sign-in, then "Verwaltung › Automatisierungen" with the list, a run, or the editor. */
export function App() {
  const [config, setConfig] = useState<SiteConfig>();
  const [token, setToken] = useState<string | undefined>(storedToken());
  const [failure, setFailure] = useState<string>();

  useEffect(() => {
    loadConfig()
      .then(async (c) => {
        setConfig(c);
        if (c.mode === 'cognito') {
          const fresh = await completeCognitoSignIn(c);
          if (fresh) {
            storeToken(fresh);
            setToken(fresh);
          }
        }
      })
      .catch((error: Error) => setFailure(error.message));
  }, []);

  if (failure) return <main class="page"><p role="alert" class="error">{failure}</p></main>;
  if (!config) return <main class="page" aria-busy="true"><p>Wird geladen …</p></main>;
  if (!token) return <SignIn config={config} onToken={(t) => {
    storeToken(t);
    setToken(t);
  }} />;
  return <Signedin config={config} token={token} onSignOut={() => {
    signOut(config);
    setToken(undefined);
  }} />;
}

function SignIn({ config, onToken }: { config: SiteConfig; onToken(token: string): void }) {
  const [tenant, setTenant] = useState('acme');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  if (config.mode === 'cognito') {
    return (
      <main class="page signin">
        <h1>Automatisierungen</h1>
        <button type="button" class="primary" onClick={() => void cognitoSignIn(config)}>Anmelden</button>
      </main>
    );
  }
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onToken(await devSignIn(config, tenant.trim()));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="page signin">
      <h1>Automatisierungen</h1>
      <p>Lokale Anmeldung als Administrator eines Mandanten (nur auf diesem Rechner).</p>
      <form onSubmit={submit}>
        <label for="tenant">Mandant</label>
        <input id="tenant" name="tenant" value={tenant} onInput={(e) => setTenant((e.target as HTMLInputElement).value)} required pattern="[A-Za-z0-9_-]{1,64}" autocomplete="organization" />
        <button type="submit" class="primary" disabled={busy}>Als Administrator anmelden</button>
        {error && <p role="alert" class="error">{error}</p>}
      </form>
    </main>
  );
}

function Signedin({ config, token, onSignOut }: { config: SiteConfig; token: string; onSignOut(): void }) {
  const [route, setRoute] = useState(currentRoute());
  const [agency, setAgency] = useState<Agency>();
  const [error, setError] = useState<string>();
  const api = createApi(token, config.apiUrl, onSignOut);
  const claims = claimsOf(token);

  useEffect(() => {
    const onHash = () => setRoute(currentRoute());
    addEventListener('hashchange', onHash);
    // A hash changed between the first render and now (a link opened right after sign-in) is not missed.
    onHash();
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    unwrap(api.GET('/settings'))
      .then((s) => setAgency({ tenantId: s.tenantId, ...('name' in s && s.name ? { name: s.name } : {}), timeZone: s.timeZone }))
      .catch((e: ApiError) => setError(errorMessage(e)));
  }, [token]);

  const navigate = (to: string) => {
    location.hash = to;
  };
  const { path, query } = route;
  let view = null;
  if (agency) {
    const props = { api, agency, navigate };
    const execution = /^\/executions\/([A-Za-z0-9_-]{1,64})$/.exec(path);
    const automation = /^\/automations\/([A-Za-z0-9_-]{1,64})$/.exec(path);
    if (execution) view = <ExecutionView key={execution[1]} {...props} id={execution[1]!} />;
    else if (automation) view = <Editor key={automation[1]} {...props} id={automation[1]!} />;
    else if (path === '/new') view = <Editor key={`new-${query.get('preset') ?? ''}`} {...props} {...(query.get('preset') ? { preset: query.get('preset')! } : {})} />;
    else view = <AutomationList {...props} />;
  }
  return (
    <>
      <header class="bar">
        <nav aria-label="Bereich">
          <span>Verwaltung</span> › <a href="#/">Automatisierungen</a>
        </nav>
        <span class="who">{agency?.name ?? String(claims['custom:tenantId'] ?? '')}</span>
        <button type="button" class="link" onClick={onSignOut}>Abmelden</button>
      </header>
      <main class="page">
        {error && <p role="alert" class="error">{error}</p>}
        {!agency && !error && <p aria-busy="true">Wird geladen …</p>}
        {view}
      </main>
    </>
  );
}
