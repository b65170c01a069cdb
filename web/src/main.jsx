// The console's entry point: asks the server which catalog it has (a
// database: the full console; YAML: a read-only view), restores the session
// and routes to the pages.
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

import { expireSession, getSession, logout, onSessionChange, restoreSession } from './api.js';
import { ActivatePage } from './pages/activate.jsx';
import { AuditPage } from './pages/audit.jsx';
import { IcebergCatalogPage, IcebergCatalogsPage } from './pages/iceberg_catalogs.jsx';
import { LoginPage } from './pages/login.jsx';
import { OverviewPage } from './pages/overview.jsx';
import { ReadOnlyCatalog } from './pages/readonly.jsx';
import { RecipientPage } from './pages/recipient.jsx';
import { RecipientsPage } from './pages/recipients.jsx';
import { SchemaPage, SharePage, SharesPage } from './pages/shares.jsx';
import { TablePage } from './pages/table.jsx';
import { UsersPage } from './pages/users.jsx';
import { Link, match, navigate, useLocation } from './router.jsx';
import { ErrorAlert } from './ui.jsx';
import './style.css';

const ROUTES = [
  ['/console', OverviewPage, 'Overview'],
  ['/console/shares', SharesPage, 'Shares'],
  ['/console/shares/:share', SharePage, 'Share'],
  ['/console/shares/:share/schemas/:schema', SchemaPage, 'Schema'],
  ['/console/shares/:share/schemas/:schema/tables/:table', TablePage, 'Table'],
  ['/console/recipients', RecipientsPage, 'Recipients'],
  ['/console/recipients/:recipient', RecipientPage, 'Recipient'],
  ['/console/iceberg-catalogs', IcebergCatalogsPage, 'Iceberg catalogs'],
  ['/console/iceberg-catalogs/:catalog', IcebergCatalogPage, 'Iceberg catalog'],
  ['/console/users', UsersPage, 'Users'],
  ['/console/audit', AuditPage, 'Audit log'],
];

const NAV = [
  ['/console/', 'Overview'],
  ['/console/shares', 'Shares'],
  ['/console/recipients', 'Recipients'],
  ['/console/iceberg-catalogs', 'Iceberg catalogs'],
  ['/console/users', 'Users', 'admin'],
  ['/console/audit', 'Audit log'],
];

function Header({ session }) {
  const { path } = useLocation();
  const [error, setError] = useState(null);
  const onLogout = async () => {
    setError(null);
    try {
      await logout();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <header class="top">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <Link class="brand" href="/console/">
        lakeshare
      </Link>
      <nav aria-label="Main">
        <ul>
          {NAV.filter(([, , role]) => !role || session.role === role).map(([href, label]) => {
            const current =
              href === '/console/' ? path === '/console/' || path === '/console' : path.startsWith(href);
            return (
              <li>
                <Link href={href} aria-current={current ? 'page' : undefined}>
                  {label}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      <div class="who">
        <span>
          {session.username} <span class="badge">{session.role}</span>
        </span>
        <button type="button" onClick={onLogout}>
          Log out
        </button>
        <ErrorAlert error={error} />
      </div>
    </header>
  );
}

function NotFound() {
  return (
    <>
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        The console has no page at this address. <Link href="/console/">Go to the overview.</Link>
      </p>
    </>
  );
}

function Routed({ session }) {
  const { path } = useLocation();
  const mainRef = useRef(null);
  let page = null;
  for (const [pattern, Page, title] of ROUTES) {
    const params = match(pattern, path);
    if (params) {
      page = <Page params={params} session={session} />;
      document.title = `${title} · lakeshare`;
      break;
    }
  }
  // Focus the new page's heading, so keyboard and screen-reader users start
  // there after a navigation.
  useEffect(() => {
    const h = mainRef.current && mainRef.current.querySelector('h1');
    if (h && document.activeElement === document.body) h.focus();
    else if (h && !mainRef.current.contains(document.activeElement)) h.focus();
  }, [path]);
  return (
    <>
      <Header session={session} />
      {session.role !== 'admin' && (
        <p class="banner">You are signed in as a viewer: everything is read-only.</p>
      )}
      <main id="main" ref={mainRef}>
        {page || <NotFound />}
      </main>
    </>
  );
}

// Where a login should lead: the page the user was on, never elsewhere.
function nextPage() {
  const next = new URLSearchParams(location.search).get('next') || '';
  return next.startsWith('/console/') && !next.startsWith('/console/login') ? next : '/console/';
}

function App({ server }) {
  const { path } = useLocation();
  const [session, setSession] = useState(getSession());
  const [notice, setNotice] = useState(null);
  const [restoring, setRestoring] = useState(server.editable && !getSession());
  const [restoreError, setRestoreError] = useState(null);
  const isPublic = path.startsWith('/console/activate') || !server.editable;

  useEffect(
    () =>
      onSessionChange((s, reason) => {
        setSession(s);
        if (!s) setNotice(reason);
      }),
    [],
  );
  useEffect(() => {
    if (!restoring) return;
    restoreSession()
      .then(() => setRestoring(false))
      .catch((e) => {
        setRestoreError(e);
        setRestoring(false);
      });
  }, []);
  // A session ends at its fixed expiry time: back to the login page then.
  useEffect(() => {
    if (!session || !session.expiresAt) return undefined;
    const t = setTimeout(expireSession, Math.max(0, session.expiresAt - Date.now()));
    return () => clearTimeout(t);
  }, [session]);
  // No session: the login page (remembering where the user was); a session
  // on the login page: where the user was going.
  const onLogin = path.startsWith('/console/login');
  useEffect(() => {
    if (isPublic || restoring) return;
    if (!session && !onLogin) {
      const next = encodeURIComponent(location.pathname + location.search);
      navigate(`/console/login?next=${next}`, { replace: true });
    } else if (session && onLogin) {
      navigate(nextPage(), { replace: true });
    }
  }, [session, path, restoring]);

  if (path.startsWith('/console/activate')) return <ActivatePage />;
  if (!server.editable) return <ReadOnlyCatalog server={server} />;
  if (restoring) return <p role="status">Loading…</p>;
  if (restoreError) return <ErrorAlert error={restoreError} />;
  if (!session) return <LoginPage notice={notice} />;
  if (onLogin) return null;
  return <Routed session={session} />;
}

async function start() {
  const root = document.getElementById('app');
  let server;
  try {
    const res = await fetch('/console/server.json', { cache: 'no-store' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    server = await res.json();
  } catch (e) {
    render(
      <div role="alert" class="alert">
        The console could not ask the server about its catalog: {e.message}
      </div>,
      root,
    );
    return;
  }
  render(<App server={server} />, root);
}

start();
