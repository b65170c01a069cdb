// Recipients: the list, and creating one with its grants and a token or an
// activation link in one call (the secret is shown once).
import { useState } from 'preact/hooks';

import { api, enc, listAll, listPage } from '../api.js';
import { Link, navigate, paths } from '../router.jsx';
import {
  EXPIRY_CHOICES,
  Empty,
  ErrorAlert,
  Field,
  Loading,
  Pager,
  SearchBox,
  SecretOnce,
  Select,
  expiryFromDays,
  fmtTime,
  useAction,
  useAsync,
  usePager,
} from '../ui.jsx';

function ShareChooser({ label, value, onChange, shares }) {
  return (
    <Field label={label} hint="Ctrl/Shift + click or Space to choose several.">
      {(id, hintId) => (
        <select
          id={id}
          multiple
          size={Math.min(6, Math.max(2, shares.length))}
          aria-describedby={hintId}
          onChange={(e) =>
            onChange(Array.from(e.currentTarget.selectedOptions).map((o) => o.value))
          }
        >
          {shares.map((s) => (
            <option value={s} selected={value.includes(s)}>
              {s}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

function CreateRecipientForm({ onSecret }) {
  const shares = useAsync((signal) => listAll('/shares', { signal }), []);
  const [name, setName] = useState('');
  const [comment, setComment] = useState('');
  const [chosen, setChosen] = useState([]);
  const [credential, setCredential] = useState('link');
  const [expiry, setExpiry] = useState('90');
  const action = useAction();
  const submit = async (e) => {
    e.preventDefault();
    const tokenExpiry = expiryFromDays(expiry);
    // One call, all or nothing: a share that vanished meanwhile leaves no
    // half-made recipient behind.
    const body = { name, comment: comment || undefined, shares: chosen };
    if (credential === 'token') body.token = { expirationTime: tokenExpiry };
    if (credential === 'link') body.activationLink = { tokenExpirationTime: tokenExpiry };
    const r = await action.run(() => api('POST', '/recipients', { body }));
    if (r.ok) {
      const made = r.value;
      if (made.profile) onSecret({ recipient: made.name, secret: made.profile });
      else if (made.activationLink) onSecret({ recipient: made.name, secret: made.activationLink.url });
      else navigate(paths.recipient(made.name));
      setName('');
      setComment('');
      setChosen([]);
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="create-recipient-title">
      <h2 id="create-recipient-title">Create a recipient</h2>
      <Field label="Recipient name" value={name} onInput={setName} required />
      <Field label="Comment (optional)" value={comment} onInput={setComment} />
      <Loading state={shares} label="Loading shares" />
      {shares.data && (
        <ShareChooser
          label="Shares to grant"
          value={chosen}
          onChange={setChosen}
          shares={shares.data.map((s) => s.name)}
        />
      )}
      <fieldset>
        <legend>Credential to hand out</legend>
        {[
          ['link', 'Activation link (the recipient downloads the profile once)'],
          ['token', 'Profile file now (download it here)'],
          ['none', 'Nothing yet'],
        ].map(([v, text]) => (
          <div class="field check">
            <input
              type="radio"
              id={`cred-${v}`}
              name="credential"
              value={v}
              checked={credential === v}
              onChange={() => setCredential(v)}
            />
            <label for={`cred-${v}`}>{text}</label>
          </div>
        ))}
      </fieldset>
      {credential !== 'none' && (
        <Select label="Token expires in" value={expiry} onChange={setExpiry} options={EXPIRY_CHOICES} />
      )}
      <ErrorAlert error={action.error} />
      <button type="submit" class="primary" disabled={action.busy}>
        Create recipient
      </button>
    </form>
  );
}

export function RecipientsPage({ session }) {
  const [search, setSearch] = useState('');
  const [secret, setSecret] = useState(null);
  const pager = usePager(search);
  const list = useAsync(
    (signal) => listPage('/recipients', { search, pageToken: pager.token, signal }),
    [search, pager.token, secret],
  );
  const items = list.data ? list.data.items : [];
  return (
    <>
      <h1 tabIndex={-1}>Recipients</h1>
      {secret && (
        <SecretOnce
          title={
            typeof secret.secret === 'object'
              ? `Profile of ${secret.recipient}`
              : `Activation link for ${secret.recipient}`
          }
          secret={secret.secret}
          onDone={() => setSecret(null)}
        />
      )}
      <SearchBox label="Search recipients" onSearch={setSearch} />
      <Loading state={list} />
      {list.data && items.length === 0 && <Empty>No recipients{search ? ' match' : ' yet'}.</Empty>}
      {items.length > 0 && (
        <table class="data">
          <caption>Recipients</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Comment</th>
              <th scope="col">IP allow-list</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr>
                <th scope="row">
                  <Link href={paths.recipient(r.name)}>{r.name}</Link>
                </th>
                <td>{r.comment}</td>
                <td>{(r.ipAllowlist || []).join(', ') || 'any address'}</td>
                <td>{fmtTime(r.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.data && <Pager pager={pager} nextPageToken={list.data.nextPageToken} label="Recipients" />}
      {session.role === 'admin' && <CreateRecipientForm onSecret={setSecret} />}
    </>
  );
}
