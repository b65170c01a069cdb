// Shared pieces of every page: errors in role="alert", labelled fields,
// confirmations naming what goes, progress with Cancel, paging, the one-time
// display of a secret, formatting.
import { useEffect, useRef, useState } from 'preact/hooks';

import { ApiError } from './api.js';

// ------------------------------------------------------------------ errors

export function describeError(e) {
  if (!e) return '';
  if (e instanceof ApiError) {
    const what = [e.status ? `HTTP ${e.status}` : '', e.code].filter(Boolean).join(' ');
    return what ? `${e.message} (${what})` : e.message;
  }
  return e.message || String(e);
}

export function ErrorAlert({ error }) {
  if (!error) return null;
  return (
    <div role="alert" class="alert">
      {describeError(error)}
    </div>
  );
}

// ------------------------------------------------------------------ async state

// Loads data for a page; the call is aborted when the inputs change or the
// page goes away.
export function useAsync(fn, deps) {
  const [state, setState] = useState({ loading: true, data: undefined, error: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true, error: null }));
    Promise.resolve()
      .then(() => fn(ctl.signal))
      .then(
      (data) => !ctl.signal.aborted && setState({ loading: false, data, error: null }),
      (error) =>
        !ctl.signal.aborted && setState({ loading: false, data: undefined, error }),
    );
    return () => ctl.abort();
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}

// One user action (a form or a button): busy while it runs, its error kept
// for display beside it, cancellable through the signal it is given.
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const ctl = useRef(null);
  useEffect(() => () => ctl.current && ctl.current.abort(), []);
  const run = async (fn) => {
    ctl.current = new AbortController();
    setBusy(true);
    setError(null);
    try {
      const value = await fn(ctl.current.signal);
      return { ok: true, value };
    } catch (e) {
      if (e.name === 'AbortError') setError(new Error('Cancelled.'));
      else setError(e);
      return { ok: false };
    } finally {
      setBusy(false);
      ctl.current = null;
    }
  };
  const cancel = () => ctl.current && ctl.current.abort();
  return { busy, error, setError, run, cancel };
}

export function Loading({ state, label = 'Loading' }) {
  if (state.error) return <ErrorAlert error={state.error} />;
  if (state.loading && state.data === undefined) {
    return (
      <p class="muted" role="status">
        {label}…
      </p>
    );
  }
  return null;
}

// Long work: an indeterminate progress bar, the time it has taken, Cancel.
export function Progress({ label, onCancel, detail }) {
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setSeconds((s) => s + 1), 1000);
    return () => clearInterval(t);
  }, []);
  return (
    <div class="progress" role="status">
      <progress aria-label={label} />
      <span>
        {label}… {detail ? `${detail}, ` : ''}
        {seconds} s
      </span>
      {onCancel && (
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      )}
    </div>
  );
}

// ------------------------------------------------------------------ forms

let fieldIds = 0;
export function useId(prefix = 'f') {
  const r = useRef(null);
  if (r.current === null) r.current = `${prefix}-${++fieldIds}`;
  return r.current;
}

// A labelled input; `hint` is tied to it with aria-describedby.
export function Field({ label, hint, value, onInput, type = 'text', children, ...rest }) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children ? (
        children(id, hintId)
      ) : (
        <input
          id={id}
          type={type}
          value={value}
          onInput={(e) => onInput(e.currentTarget.value)}
          aria-describedby={hintId}
          {...rest}
        />
      )}
      {hint && (
        <small id={hintId} class="hint">
          {hint}
        </small>
      )}
    </div>
  );
}

export function Checkbox({ label, checked, onChange, ...rest }) {
  const id = useId('c');
  return (
    <div class="field check">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.currentTarget.checked)}
        {...rest}
      />
      <label for={id}>{label}</label>
    </div>
  );
}

export function Select({ label, value, onChange, options, hint, ...rest }) {
  return (
    <Field label={label} hint={hint}>
      {(id, hintId) => (
        <select
          id={id}
          value={value}
          onChange={(e) => onChange(e.currentTarget.value)}
          aria-describedby={hintId}
          {...rest}
        >
          {options.map(([v, text]) => (
            <option value={v}>{text}</option>
          ))}
        </select>
      )}
    </Field>
  );
}

// A button that asks first, in a modal <dialog> naming what goes; the
// action's error stays in the dialog where the user confirmed.
export function ConfirmButton({ label, title, message, confirmLabel, onConfirm, danger = true }) {
  const ref = useRef(null);
  const action = useAction();
  const open = () => {
    action.setError(null);
    ref.current.showModal();
  };
  const confirm = async () => {
    const r = await action.run((signal) => onConfirm(signal));
    if (r.ok && ref.current) ref.current.close();
  };
  const titleId = useId('d');
  return (
    <>
      <button type="button" class={danger ? 'danger' : ''} onClick={open}>
        {label}
      </button>
      <dialog ref={ref} aria-labelledby={titleId}>
        <h2 id={titleId}>{title}</h2>
        <p>{message}</p>
        <ErrorAlert error={action.error} />
        <div class="buttons">
          <button type="button" onClick={() => ref.current.close()} disabled={action.busy}>
            Cancel
          </button>
          <button
            type="button"
            class={danger ? 'danger' : 'primary'}
            onClick={confirm}
            disabled={action.busy}
          >
            {confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}

// ------------------------------------------------------------------ lists

// Paging state of a list: the token of each page seen so far.
export function usePager(resetKey) {
  const [tokens, setTokens] = useState([undefined]);
  useEffect(() => setTokens([undefined]), [resetKey]);
  return {
    token: tokens[tokens.length - 1],
    page: tokens.length,
    next: (t) => setTokens((ts) => [...ts, t]),
    prev: () => setTokens((ts) => (ts.length > 1 ? ts.slice(0, -1) : ts)),
  };
}

export function Pager({ pager, nextPageToken, label }) {
  if (pager.page === 1 && !nextPageToken) return null;
  return (
    <nav class="pager" aria-label={`${label} pages`}>
      <button type="button" onClick={pager.prev} disabled={pager.page === 1}>
        Previous page
      </button>
      <span>Page {pager.page}</span>
      <button
        type="button"
        onClick={() => pager.next(nextPageToken)}
        disabled={!nextPageToken}
      >
        Next page
      </button>
    </nav>
  );
}

// A search box that reports its text 250 ms after the last keystroke.
export function SearchBox({ label, onSearch }) {
  const [text, setText] = useState('');
  useEffect(() => {
    const t = setTimeout(() => onSearch(text.trim()), 250);
    return () => clearTimeout(t);
  }, [text]);
  return (
    <div class="search" role="search">
      <Field label={label} type="search" value={text} onInput={setText} />
    </div>
  );
}

// ------------------------------------------------------------------ secrets

export function downloadFile(name, text, type = 'application/json') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function CopyButton({ text, label = 'Copy' }) {
  const [done, setDone] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone('Copied.');
    } catch {
      setDone('Copying is not allowed here: select the text and copy it.');
    }
  };
  return (
    <>
      <button type="button" onClick={copy}>
        {label}
      </button>
      <span role="status" class="muted">
        {done}
      </span>
    </>
  );
}

// A secret shown once: a profile (download + copy) or an activation link
// (copy). "Done" drops it from memory; it is never shown again.
export function SecretOnce({ title, secret, onDone }) {
  const headingId = useId('s');
  const isProfile = typeof secret === 'object';
  const text = isProfile ? JSON.stringify(secret, null, 2) : secret;
  return (
    <section class="secret" aria-labelledby={headingId}>
      <h3 id={headingId}>{title}</h3>
      <p>
        <strong>Shown once.</strong>{' '}
        {isProfile
          ? 'Download the credential file now and give it to the recipient: the token is not shown again.'
          : 'Copy the link now and send it to the recipient: it works once and is not shown again.'}
      </p>
      <pre class="secret-text" data-secret>
        {text}
      </pre>
      <div class="buttons">
        {isProfile && (
          <button type="button" class="primary" onClick={() => downloadFile('config.share', text)}>
            Download config.share
          </button>
        )}
        <CopyButton text={text} label={isProfile ? 'Copy profile' : 'Copy link'} />
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}

// ------------------------------------------------------------------ formatting

export function fmtTime(v) {
  if (v === undefined || v === null || v === '') return '';
  const d = typeof v === 'number' ? new Date(v) : new Date(v);
  if (Number.isNaN(d.getTime())) return String(v);
  const p = (n) => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}`
  );
}

export function fmtBytes(n) {
  if (n === undefined || n === null) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export function Empty({ children }) {
  return <p class="muted">{children}</p>;
}

// Expiry choices shared by tokens and links: [value, label]; value in days.
export const EXPIRY_CHOICES = [
  ['30', '30 days'],
  ['90', '90 days'],
  ['365', '1 year'],
  ['', 'Never'],
];

export function expiryFromDays(days) {
  if (!days) return undefined;
  return new Date(Date.now() + Number(days) * 86400000).toISOString();
}
