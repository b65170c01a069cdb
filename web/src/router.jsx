// A small path router under /console/: pushState navigation, <Link> for
// in-app links (ordinary <a href>, so they open in new tabs too), and focus
// moved to the new page's heading so screen readers follow the navigation.
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set();

export function navigate(to, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  for (const f of listeners) f();
}

addEventListener('popstate', () => {
  for (const f of listeners) f();
});

export function useLocation() {
  const [, setTick] = useState(0);
  useEffect(() => {
    const f = () => setTick((n) => n + 1);
    listeners.add(f);
    return () => listeners.delete(f);
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

export function Link({ href, children, ...rest }) {
  const onClick = (e) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}

// '/console/shares/:share' against a path: the decoded parameters, or null.
export function match(pattern, path) {
  const p = pattern.split('/');
  const s = path.replace(/\/+$/, '').split('/');
  if (p.length !== s.length) return null;
  const params = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) {
      try {
        params[p[i].slice(1)] = decodeURIComponent(s[i]);
      } catch {
        return null;
      }
    } else if (p[i] !== s[i]) {
      return null;
    }
  }
  return params;
}

export const enc = encodeURIComponent;

export const paths = {
  share: (s) => `/console/shares/${enc(s)}`,
  schema: (s, sc) => `/console/shares/${enc(s)}/schemas/${enc(sc)}`,
  table: (s, sc, t) => `/console/shares/${enc(s)}/schemas/${enc(sc)}/tables/${enc(t)}`,
  recipient: (r) => `/console/recipients/${enc(r)}`,
};
