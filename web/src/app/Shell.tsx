/**
 * The console's frame: skip link, header (name, language, connection and queued changes, user,
 * sign-out), navigation limited to the role's views, the `<main>` landmark with the conflict
 * panel and the current view (loaded on first use). Focus moves to the view's heading on
 * every route change so keyboard and screen-reader users land on the new content.
 */
import type { ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { homeOf, loadedView, loadView, views, viewsFor, type ViewProps } from '../views/index.ts';
import { signOut, type ConsoleConfig } from './auth.ts';
import { ConflictPanel } from './ConflictPanel.tsx';
import { Page, ProblemMessage, Spinner } from './components.tsx';
import { LANG_NAMES, LANGS, useLang, useT, type Lang } from './i18n.ts';
import { commonMessages, type CommonKey } from './messages.ts';
import { changesLostAtSignOut, forgetSignedInUserChanges, usePendingChanges } from './offline.ts';
import { useOnline, useRoute } from './router.ts';
import { useSession } from './session.ts';
import { SignIn } from './SignIn.tsx';

function LanguageSwitcher() {
  const [lang, setLang] = useLang();
  const t = useT(commonMessages);
  return (
    <label class="lang">
      <span class="visually-hidden">{t('language')}</span>
      <select value={lang} onChange={(e) => setLang(e.currentTarget.value as Lang)} data-testid="lang-switcher" aria-label={t('language')}>
        {LANGS.map((l) => (
          <option key={l} value={l} lang={l}>
            {LANG_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}

function ConnectionStatus() {
  const t = useT(commonMessages);
  const online = useOnline();
  const waiting = usePendingChanges().filter((c) => c.state === 'queued' || c.state === 'sending').length;
  return (
    <div class="connection" role="status" aria-live="polite" data-testid="connection" data-online={online ? 'true' : 'false'} data-pending={waiting}>
      <span class={online ? 'dot dot-online' : 'dot dot-offline'} aria-hidden="true" />
      <span>{t(online ? 'online' : 'offline')}</span>
      {waiting > 0 && (
        <span class="pending" data-testid="pending-count">
          {t('pendingCount', { count: waiting })}
        </span>
      )}
    </div>
  );
}

/**
 * Signing out deletes this user's changes kept on the device, and the key that seals them: say
 * how many would be lost and let the user stay signed in to send them first.
 */
async function signOutAfterWarning(t: (key: CommonKey, vars?: Record<string, string | number>) => string): Promise<void> {
  const lost = await changesLostAtSignOut();
  if (lost > 0 && !window.confirm(t('signOutLoses', { count: lost }))) return;
  await forgetSignedInUserChanges();
  signOut();
}

function Header({ signedIn }: { signedIn: boolean }) {
  const t = useT(commonMessages);
  const session = useSession();
  return (
    <header class="app-header">
      <a
        class="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        {t('skipToContent')}
      </a>
      <div class="brand">
        <span class="brand-name">{t('appName')}</span>
        <span class="brand-tagline">{t('appTagline')}</span>
      </div>
      <div class="header-tools">
        <LanguageSwitcher />
        <ConnectionStatus />
        {signedIn && session && (
          <div class="user">
            <span data-testid="signed-in-as">{t('signedInAs', { role: t(`role.${session.role}` as CommonKey), org: session.org })}</span>
            <button type="button" onClick={() => void signOutAfterWarning(t)} data-testid="sign-out">
              {t('signOut')}
            </button>
          </div>
        )}
      </div>
    </header>
  );
}

function Nav({ current }: { current: string | undefined }) {
  const t = useT(commonMessages);
  const session = useSession();
  if (!session) return null;
  return (
    <nav class="app-nav" aria-label={t('mainNav')}>
      <ul>
        {viewsFor(session.role).map((v) => (
          <li key={v.path}>
            <a href={`#/${v.path}`} aria-current={current === v.path ? 'page' : undefined} data-testid={`nav-${v.path}`}>
              {t(v.nav)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The view of the route, loaded on first use; focus goes to its heading once it is shown. */
function RouteView({ route }: { route: string[] }) {
  const t = useT(commonMessages);
  const session = useSession();
  const path = route[0];
  const entry = views.find((v) => v.path === path);
  const [View, setView] = useState<ComponentType<ViewProps> | undefined>(() => loadedView(path));
  const [error, setError] = useState<unknown>(undefined);
  const first = useRef(true);

  useEffect(() => {
    setError(undefined);
    if (!entry) return setView(undefined);
    const known = loadedView(entry.path);
    if (known) return setView(() => known);
    setView(undefined);
    let live = true;
    loadView(entry).then(
      (component) => {
        if (live) setView(() => component);
      },
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [entry]);

  useEffect(() => {
    if (!View) return;
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = document.getElementById('page-title') ?? document.getElementById('main');
    heading?.focus();
  }, [View, path]);

  if (!session) return null;
  if (!entry) return <Page title={t('notFoundPage')}>{null}</Page>;
  if (!entry.roles.includes(session.role)) return <Page title={t('notAllowed')}>{null}</Page>;
  if (error) return <ProblemMessage error={error} />;
  if (!View) return <Spinner />;
  return <View route={route.slice(1)} />;
}

export function Shell({ config, signInError }: { config: ConsoleConfig; signInError?: Error | undefined }) {
  const session = useSession();
  const route = useRoute();
  const online = useOnline();
  const t = useT(commonMessages);

  // Signed in without a route (or on one the role cannot use from the start): the role's home.
  // The hash is read again when the effect runs: a route chosen between the render and the
  // effect (a link followed right after signing in) must not be replaced by the home route.
  useEffect(() => {
    if (session && route.length === 0 && location.hash.replace(/^#\/?/, '') === '') location.replace(`#/${homeOf(session.role)}`);
  }, [session, route.length]);

  return (
    <>
      <Header signedIn={!!session} />
      {session && <Nav current={route[0]} />}
      {!online && (
        <p class="offline-banner" role="status" data-testid="offline-banner">
          {t('offlineBanner')}
        </p>
      )}
      <main id="main" tabIndex={-1}>
        {session ? (
          <>
            <ConflictPanel />
            <RouteView route={route} />
          </>
        ) : (
          <SignIn config={config} error={signInError} />
        )}
      </main>
    </>
  );
}
