// The admin API client: one fetch wrapper that adds the session, turns every
// failure into an ApiError with the server's message, and sends the user back
// to the login page when the session has ended.
//
// Sessions: the console asks for an HttpOnly session cookie (login with
// "cookie": true) and then holds only a CSRF token, sent on every write as
// X-CSRF-Token. A server that still answers with a bearer token in the body
// (the API before the cookie) gets that token back as Authorization, kept in
// sessionStorage (this tab only) until the cookie arrives.

const STORE_KEY = 'lakeshare.console.session';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let session = loadStored();
const listeners = new Set();

function loadStored() {
  try {
    const s = JSON.parse(sessionStorage.getItem(STORE_KEY) || 'null');
    return s && s.token && s.expiresAt > Date.now() ? s : null;
  } catch {
    return null;
  }
}

export function getSession() {
  return session;
}

// reason: null, 'expired' or 'logout' (what the login page then says).
function setSession(s, reason = null) {
  session = s;
  try {
    if (s && s.token) sessionStorage.setItem(STORE_KEY, JSON.stringify(s));
    else sessionStorage.removeItem(STORE_KEY);
  } catch {}
  for (const f of listeners) f(s, reason);
}

export function onSessionChange(f) {
  listeners.add(f);
  return () => listeners.delete(f);
}

export function expireSession() {
  if (session) setSession(null, 'expired');
}

export const enc = encodeURIComponent;

function queryString(query) {
  if (!query) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

async function errorOf(res) {
  let code = '';
  let message = '';
  try {
    const text = await res.text();
    try {
      const j = JSON.parse(text);
      code = j.errorCode || '';
      message = j.message || '';
    } catch {
      message = text.slice(0, 300);
    }
  } catch {}
  return new ApiError(res.status, code, message || res.statusText || 'request failed');
}

// Calls /api/v1<path>. Returns the parsed JSON (null for 204), or the
// Response itself with {raw: true}. Throws ApiError, or the AbortError of
// a cancelled call.
export async function api(method, path, { body, query, signal, raw = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const s = session;
  if (s && s.token) headers.Authorization = `Bearer ${s.token}`;
  if (s && s.csrfToken && method !== 'GET' && method !== 'HEAD') {
    headers['X-CSRF-Token'] = s.csrfToken;
  }
  let res;
  try {
    res = await fetch(`/api/v1${path}${queryString(query)}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'NETWORK', `The server could not be reached (${e.message}).`);
  }
  if (!res.ok) {
    const err = await errorOf(res);
    if (res.status === 401 && s && session === s) expireSession();
    throw err;
  }
  if (raw) return res;
  if (res.status === 204) return null;
  const type = res.headers.get('content-type') || '';
  return type.includes('json') ? res.json() : res.text();
}

export async function login(username, password) {
  const r = await api('POST', '/login', { body: { username, password, cookie: true } });
  setSession({
    username: r.username,
    role: r.role,
    expiresAt: r.expiresAt,
    token: r.token,
    csrfToken: r.csrfToken,
  });
}

// The session of this browser after a reload: the one kept in this tab, or
// the cookie's (GET /api/v1/session). null when there is none.
export async function restoreSession() {
  if (session) return session;
  try {
    const r = await api('GET', '/session');
    setSession({
      username: r.username,
      role: r.role,
      expiresAt: r.expiresAt,
      csrfToken: r.csrfToken,
    });
    return session;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 404)) return null;
    throw e;
  }
}

export async function logout() {
  try {
    await api('POST', '/logout');
  } finally {
    setSession(null, 'logout');
  }
}

// A list endpoint's page: {items, nextPageToken}. Asks for server-side
// search and paging; filters again here so that a server without them still
// shows what was searched for (the same case-insensitive substring match).
export async function listPage(path, { search, pageToken, maxResults = 50, signal, key = 'name' }) {
  const r = await api('GET', path, { query: { search, pageToken, maxResults }, signal });
  let items = r.items || [];
  if (search) {
    const s = search.toLowerCase();
    items = items.filter((x) => String(x[key] || '').toLowerCase().includes(s));
  }
  return { items, nextPageToken: r.nextPageToken || null, totalSize: r.totalSize };
}

// Every item of a list endpoint (for choosers), up to `limit`.
export async function listAll(path, { signal, limit = 1000 } = {}) {
  const out = [];
  let pageToken;
  do {
    const r = await api('GET', path, { query: { pageToken, maxResults: 1000 }, signal });
    out.push(...(r.items || []));
    pageToken = r.nextPageToken;
  } while (pageToken && out.length < limit);
  return out.slice(0, limit);
}
