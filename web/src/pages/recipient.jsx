// One recipient: its grants, tokens (create, rotate with a grace period,
// revoke, expiry), activation links (create, revoke), IP allow-list, and
// deletion. Secrets are shown once.
import { useState } from 'preact/hooks';

import { api, enc, listAll } from '../api.js';
import { Link, navigate, paths } from '../router.jsx';
import {
  Checkbox,
  ConfirmButton,
  EXPIRY_CHOICES,
  Empty,
  ErrorAlert,
  Field,
  Loading,
  SecretOnce,
  Select,
  expiryFromDays,
  fmtTime,
  useAction,
  useAsync,
} from '../ui.jsx';

const LINK_EXPIRY = [
  ['1', '1 day'],
  ['7', '7 days'],
  ['30', '30 days'],
];

function tokenState(t) {
  if (t.revoked) return 'revoked';
  if (t.live) return 'live';
  return 'expired';
}

function Tokens({ base, admin, onSecret }) {
  const list = useAsync((signal) => api('GET', `${base}/tokens`, { signal }), [base]);
  const [expiry, setExpiry] = useState('90');
  const [grace, setGrace] = useState('3600');
  const create = useAction();
  const rotate = useAction();
  const revoke = useAction();
  const items = list.data ? list.data.items : [];
  const onCreate = async () => {
    const r = await create.run(() =>
      api('POST', `${base}/tokens`, { body: { expirationTime: expiryFromDays(expiry) } }),
    );
    if (r.ok) {
      onSecret(r.value);
      list.reload();
    }
  };
  const onRotate = async () => {
    const r = await rotate.run(() =>
      api('POST', `${base}/tokens/rotate`, {
        body: { expirationTime: expiryFromDays(expiry), graceSeconds: Number(grace || 0) },
      }),
    );
    if (r.ok) {
      onSecret(r.value);
      list.reload();
    }
  };
  const onRevoke = async (id) => {
    const r = await revoke.run(() => api('DELETE', `${base}/tokens/${enc(id)}`));
    if (r.ok) list.reload();
  };
  return (
    <section aria-labelledby="tokens-title">
      <h2 id="tokens-title">Tokens</h2>
      <Loading state={list} />
      {list.data && items.length === 0 && <Empty>No tokens.</Empty>}
      {items.length > 0 && (
        <table class="data">
          <caption>Tokens (their secrets are never shown again)</caption>
          <thead>
            <tr>
              <th scope="col">Token</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">State</th>
              <th scope="col">Origin</th>
              {admin && <th scope="col">Action</th>}
            </tr>
          </thead>
          <tbody>
            {items.map((t) => (
              <tr>
                <th scope="row">
                  <code>{t.id}</code>
                </th>
                <td>{fmtTime(t.createdAt)}</td>
                <td>{t.expirationTime ? fmtTime(t.expirationTime) : 'never'}</td>
                <td>{tokenState(t)}</td>
                <td>{t.origin}</td>
                {admin && (
                  <td>
                    {!t.revoked && (
                      <button
                        type="button"
                        class="danger"
                        aria-label={`Revoke token ${t.id}`}
                        onClick={() => onRevoke(t.id)}
                        disabled={revoke.busy}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorAlert error={revoke.error} />
      {admin && (
        <div class="card">
          <Select label="New token expires in" value={expiry} onChange={setExpiry} options={EXPIRY_CHOICES} />
          <div class="buttons">
            <button type="button" class="primary" onClick={onCreate} disabled={create.busy}>
              Create token
            </button>
          </div>
          <ErrorAlert error={create.error} />
          <Field
            label="Grace period for the old tokens (seconds)"
            type="number"
            min="0"
            value={grace}
            onInput={setGrace}
            hint="Rotating makes a new token; the live ones keep working this long."
          />
          <div class="buttons">
            <button type="button" onClick={onRotate} disabled={rotate.busy}>
              Rotate tokens
            </button>
          </div>
          <ErrorAlert error={rotate.error} />
        </div>
      )}
    </section>
  );
}

function Links({ base, admin, onSecret }) {
  const list = useAsync((signal) => api('GET', `${base}/activation-links`, { signal }), [base]);
  const [expiry, setExpiry] = useState('7');
  const [tokenExpiry, setTokenExpiry] = useState('90');
  const create = useAction();
  const revoke = useAction();
  const items = list.data ? list.data.items : [];
  const now = Date.now();
  const onCreate = async () => {
    const r = await create.run(() =>
      api('POST', `${base}/activation-links`, {
        body: {
          expirationTime: expiryFromDays(expiry),
          tokenExpirationTime: expiryFromDays(tokenExpiry),
        },
      }),
    );
    if (r.ok) {
      onSecret(r.value.url);
      list.reload();
    }
  };
  const onRevoke = async (id) => {
    const r = await revoke.run(() => api('DELETE', `${base}/activation-links/${enc(id)}`));
    if (r.ok) list.reload();
  };
  return (
    <section aria-labelledby="links-title">
      <h2 id="links-title">Activation links</h2>
      <Loading state={list} />
      {list.data && items.length === 0 && <Empty>No activation links.</Empty>}
      {items.length > 0 && (
        <table class="data">
          <caption>Activation links (each works once)</caption>
          <thead>
            <tr>
              <th scope="col">Link</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">State</th>
              {admin && <th scope="col">Action</th>}
            </tr>
          </thead>
          <tbody>
            {items.map((l) => {
              const state = l.usedAt
                ? `used ${fmtTime(l.usedAt)}`
                : l.revokedAt
                  ? 'revoked'
                  : l.expiresAt <= now
                    ? 'expired'
                    : 'waiting';
              return (
                <tr>
                  <th scope="row">
                    <code>{l.id}</code>
                  </th>
                  <td>{fmtTime(l.createdAt)}</td>
                  <td>{fmtTime(l.expiresAt)}</td>
                  <td>{state}</td>
                  {admin && (
                    <td>
                      {state === 'waiting' && (
                        <button
                          type="button"
                          class="danger"
                          aria-label={`Revoke link ${l.id}`}
                          onClick={() => onRevoke(l.id)}
                          disabled={revoke.busy}
                        >
                          Revoke
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <ErrorAlert error={revoke.error} />
      {admin && (
        <div class="card">
          <Select label="Link expires in" value={expiry} onChange={setExpiry} options={LINK_EXPIRY} />
          <Select
            label="Its token expires in"
            value={tokenExpiry}
            onChange={setTokenExpiry}
            options={EXPIRY_CHOICES}
          />
          <button type="button" class="primary" onClick={onCreate} disabled={create.busy}>
            Create activation link
          </button>
          <ErrorAlert error={create.error} />
        </div>
      )}
    </section>
  );
}

function Grants({ base, admin, recipient }) {
  const list = useAsync((signal) => api('GET', `${base}/grants`, { signal }), [base]);
  const shares = useAsync((signal) => (admin ? listAll('/shares', { signal }) : []), [admin]);
  const [share, setShare] = useState('');
  const add = useAction();
  const remove = useAction();
  const granted = list.data ? list.data.items : [];
  const choices = (shares.data || []).map((s) => s.name).filter((n) => !granted.includes(n));
  const onAdd = async (e) => {
    e.preventDefault();
    const target = share || choices[0];
    const r = await add.run(() => api('POST', `${base}/grants`, { body: { share: target } }));
    if (r.ok) {
      setShare('');
      list.reload();
    }
  };
  const onRemove = async (s) => {
    const r = await remove.run(() => api('DELETE', `${base}/grants/${enc(s)}`));
    if (r.ok) list.reload();
  };
  return (
    <section aria-labelledby="grants-title">
      <h2 id="grants-title">Grants</h2>
      {recipient.allShares && <p>This recipient sees every share.</p>}
      <Loading state={list} />
      {list.data && granted.length === 0 && <Empty>No shares granted.</Empty>}
      {granted.length > 0 && (
        <table class="data">
          <caption>Shares {recipient.name} may read</caption>
          <thead>
            <tr>
              <th scope="col">Share</th>
              {admin && <th scope="col">Action</th>}
            </tr>
          </thead>
          <tbody>
            {granted.map((s) => (
              <tr>
                <th scope="row">
                  <Link href={paths.share(s)}>{s}</Link>
                </th>
                {admin && (
                  <td>
                    <button
                      type="button"
                      class="danger"
                      aria-label={`Revoke grant of ${s}`}
                      onClick={() => onRemove(s)}
                      disabled={remove.busy}
                    >
                      Revoke grant
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorAlert error={remove.error} />
      {admin && choices.length > 0 && (
        <form class="card inline" onSubmit={onAdd}>
          <Select
            label="Share to grant"
            value={share || choices[0]}
            onChange={setShare}
            options={choices.map((c) => [c, c])}
          />
          <button type="submit" class="primary" disabled={add.busy}>
            Grant share
          </button>
        </form>
      )}
      <ErrorAlert error={add.error} />
    </section>
  );
}

function EditRecipientForm({ base, recipient, onSaved }) {
  const [comment, setComment] = useState(recipient.comment || '');
  const [ips, setIps] = useState((recipient.ipAllowlist || []).join('\n'));
  const [allShares, setAllShares] = useState(recipient.allShares);
  const action = useAction();
  const submit = async (e) => {
    e.preventDefault();
    const body = {
      comment,
      allShares,
      ipAllowlist: ips
        .split(/[\s,]+/)
        .map((x) => x.trim())
        .filter(Boolean),
      version: recipient.version,
    };
    const r = await action.run(() => api('PATCH', base, { body }));
    if (r.ok) onSaved();
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="edit-recipient-title">
      <h2 id="edit-recipient-title">Edit the recipient</h2>
      <Field label="Comment" value={comment} onInput={setComment} />
      <Field label="IP allow-list" hint="Addresses or CIDR ranges, one a line; empty: any address.">
        {(id, hintId) => (
          <textarea
            id={id}
            rows={3}
            value={ips}
            aria-describedby={hintId}
            onInput={(e) => setIps(e.currentTarget.value)}
          />
        )}
      </Field>
      <Checkbox label="Grant every share (present and future)" checked={allShares} onChange={setAllShares} />
      <ErrorAlert error={action.error} />
      <button type="submit" class="primary" disabled={action.busy}>
        Save recipient
      </button>
    </form>
  );
}

export function RecipientPage({ params, session }) {
  const { recipient } = params;
  const admin = session.role === 'admin';
  const base = `/recipients/${enc(recipient)}`;
  const info = useAsync((signal) => api('GET', base, { signal }), [base]);
  const [secret, setSecret] = useState(null);
  const r = info.data;
  return (
    <>
      <p class="crumbs">
        <Link href="/console/recipients">Recipients</Link> /
      </p>
      <h1 tabIndex={-1}>Recipient {recipient}</h1>
      <Loading state={info} />
      {secret && (
        <SecretOnce
          title={typeof secret === 'object' ? `Profile of ${recipient}` : `Activation link for ${recipient}`}
          secret={secret}
          onDone={() => setSecret(null)}
        />
      )}
      {r && (
        <>
          <dl class="facts">
            <dt>Comment</dt>
            <dd>{r.comment || '—'}</dd>
            <dt>IP allow-list</dt>
            <dd>{(r.ipAllowlist || []).join(', ') || 'any address'}</dd>
            <dt>Created</dt>
            <dd>{fmtTime(r.createdAt)}</dd>
          </dl>
          <Grants base={base} admin={admin} recipient={r} />
          <Tokens base={base} admin={admin} onSecret={setSecret} />
          <Links base={base} admin={admin} onSecret={setSecret} />
          {admin && (
            <div class="grid">
              <EditRecipientForm key={r.version} base={base} recipient={r} onSaved={info.reload} />
              <section class="card danger-zone" aria-labelledby="delete-recipient-title">
                <h2 id="delete-recipient-title">Delete the recipient</h2>
                <ConfirmButton
                  label="Delete recipient"
                  title={`Delete recipient ${recipient}?`}
                  message={`Recipient ${recipient} goes with its tokens, grants and activation links: every client using its profile gets 401 at once.`}
                  confirmLabel={`Delete ${recipient}`}
                  onConfirm={async () => {
                    await api('DELETE', base);
                    navigate('/console/recipients');
                  }}
                />
              </section>
            </div>
          )}
        </>
      )}
    </>
  );
}
