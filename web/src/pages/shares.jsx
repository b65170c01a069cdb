// Shares → schemas → tables: lists with search and paging, create, rename,
// comment, delete (with a confirmation naming what goes).
import { useState } from 'preact/hooks';

import { api, enc, listAll, listPage } from '../api.js';
import { Link, navigate, paths } from '../router.jsx';
import {
  ConfirmButton,
  Empty,
  ErrorAlert,
  Field,
  Loading,
  Pager,
  SearchBox,
  fmtTime,
  useAction,
  useAsync,
  usePager,
} from '../ui.jsx';
import { AddTableForm } from './add_table.jsx';

function CreateShareForm() {
  const [name, setName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [comment, setComment] = useState('');
  const action = useAction();
  const submit = async (e) => {
    e.preventDefault();
    const body = { name, displayName: displayName || undefined, comment: comment || undefined };
    const r = await action.run(() => api('POST', '/shares', { body }));
    if (r.ok) navigate(paths.share(r.value.name));
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="create-share-title">
      <h2 id="create-share-title">Create a share</h2>
      <Field label="Share name" value={name} onInput={setName} required />
      <Field label="Display name (optional)" value={displayName} onInput={setDisplayName} />
      <Field label="Comment (optional)" value={comment} onInput={setComment} />
      <ErrorAlert error={action.error} />
      <button type="submit" class="primary" disabled={action.busy}>
        Create share
      </button>
    </form>
  );
}

export function SharesPage({ session }) {
  const [search, setSearch] = useState('');
  const pager = usePager(search);
  const list = useAsync(
    (signal) => listPage('/shares', { search, pageToken: pager.token, signal }),
    [search, pager.token],
  );
  const items = list.data ? list.data.items : [];
  return (
    <>
      <h1 tabIndex={-1}>Shares</h1>
      <SearchBox label="Search shares" onSearch={setSearch} />
      <Loading state={list} />
      {list.data && items.length === 0 && <Empty>No shares{search ? ' match' : ' yet'}.</Empty>}
      {items.length > 0 && (
        <table class="data">
          <caption>Shares</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Display name</th>
              <th scope="col">Comment</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {items.map((s) => (
              <tr>
                <th scope="row">
                  <Link href={paths.share(s.name)}>{s.name}</Link>
                </th>
                <td>{s.displayName}</td>
                <td>{s.comment}</td>
                <td>{fmtTime(s.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.data && <Pager pager={pager} nextPageToken={list.data.nextPageToken} label="Shares" />}
      {session.role === 'admin' && <CreateShareForm />}
    </>
  );
}

function EditShareForm({ share, onSaved }) {
  const [name, setName] = useState(share.name);
  const [displayName, setDisplayName] = useState(share.displayName || '');
  const [comment, setComment] = useState(share.comment || '');
  const action = useAction();
  const submit = async (e) => {
    e.preventDefault();
    const body = { displayName, comment, version: share.version };
    if (name !== share.name) body.name = name;
    const r = await action.run(() => api('PATCH', `/shares/${enc(share.name)}`, { body }));
    if (r.ok) {
      if (r.value.name !== share.name) navigate(paths.share(r.value.name), { replace: true });
      else onSaved();
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="edit-share-title">
      <h2 id="edit-share-title">Edit the share</h2>
      <Field label="Share name" value={name} onInput={setName} required />
      <Field label="Display name" value={displayName} onInput={setDisplayName} />
      <Field label="Comment" value={comment} onInput={setComment} />
      <ErrorAlert error={action.error} />
      <button type="submit" class="primary" disabled={action.busy}>
        Save share
      </button>
    </form>
  );
}

function CreateSchemaForm({ share }) {
  const [name, setName] = useState('');
  const action = useAction();
  const submit = async (e) => {
    e.preventDefault();
    const r = await action.run(() =>
      api('POST', `/shares/${enc(share)}/schemas`, { body: { name } }),
    );
    if (r.ok) navigate(paths.schema(share, r.value.name));
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="create-schema-title">
      <h2 id="create-schema-title">Create a schema</h2>
      <Field label="Schema name" value={name} onInput={setName} required />
      <ErrorAlert error={action.error} />
      <button type="submit" class="primary" disabled={action.busy}>
        Create schema
      </button>
    </form>
  );
}

export function SharePage({ params, session }) {
  const { share } = params;
  const admin = session.role === 'admin';
  const info = useAsync((signal) => api('GET', `/shares/${enc(share)}`, { signal }), [share]);
  const schemas = useAsync(
    (signal) => listAll(`/shares/${enc(share)}/schemas`, { signal }),
    [share],
  );
  const s = info.data;
  const names = (schemas.data || []).map((x) => x.name);
  return (
    <>
      <p class="crumbs">
        <Link href="/console/shares">Shares</Link> /
      </p>
      <h1 tabIndex={-1}>Share {share}</h1>
      <Loading state={info} />
      {s && (
        <dl class="facts">
          <dt>Display name</dt>
          <dd>{s.displayName || '—'}</dd>
          <dt>Comment</dt>
          <dd>{s.comment || '—'}</dd>
          <dt>Recipients</dt>
          <dd>
            {(s.recipients || []).length === 0
              ? 'none'
              : s.recipients.map((r, i) => (
                  <>
                    {i > 0 && ', '}
                    <Link href={paths.recipient(r)}>{r}</Link>
                  </>
                ))}
          </dd>
          <dt>Created</dt>
          <dd>{fmtTime(s.createdAt)}</dd>
        </dl>
      )}
      <h2>Schemas</h2>
      <Loading state={schemas} />
      {schemas.data && names.length === 0 && <Empty>No schemas yet.</Empty>}
      {names.length > 0 && (
        <table class="data">
          <caption>Schemas of {share}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {schemas.data.map((sc) => (
              <tr>
                <th scope="row">
                  <Link href={paths.schema(share, sc.name)}>{sc.name}</Link>
                </th>
                <td>{fmtTime(sc.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {admin && s && (
        <div class="grid">
          <CreateSchemaForm share={share} />
          <AddTableForm share={share} schemas={names} />
          <EditShareForm key={s.version} share={s} onSaved={info.reload} />
          <section class="card danger-zone" aria-labelledby="delete-share-title">
            <h2 id="delete-share-title">Delete the share</h2>
            <ConfirmButton
              label="Delete share"
              title={`Delete share ${share}?`}
              message={
                `Share ${share} goes, with ` +
                (names.length ? `its schemas ${names.join(', ')} and their tables` : 'no schemas') +
                `. ${(s.recipients || []).length} recipient(s) lose access to it at once.`
              }
              confirmLabel={`Delete ${share}`}
              onConfirm={async () => {
                await api('DELETE', `/shares/${enc(share)}`);
                navigate('/console/shares');
              }}
            />
          </section>
        </div>
      )}
    </>
  );
}

function RenameSchemaForm({ share, schema }) {
  const [name, setName] = useState(schema.name);
  const action = useAction();
  const submit = async (e) => {
    e.preventDefault();
    const r = await action.run(() =>
      api('PATCH', `/shares/${enc(share)}/schemas/${enc(schema.name)}`, {
        body: { name, version: schema.version },
      }),
    );
    if (r.ok) navigate(paths.schema(share, r.value.name), { replace: true });
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="rename-schema-title">
      <h2 id="rename-schema-title">Rename the schema</h2>
      <Field label="Schema name" value={name} onInput={setName} required />
      <ErrorAlert error={action.error} />
      <button type="submit" class="primary" disabled={action.busy}>
        Rename schema
      </button>
    </form>
  );
}

export function SchemaPage({ params, session }) {
  const { share, schema } = params;
  const admin = session.role === 'admin';
  const [search, setSearch] = useState('');
  const pager = usePager(search + share + schema);
  const base = `/shares/${enc(share)}/schemas/${enc(schema)}`;
  const info = useAsync((signal) => api('GET', base, { signal }), [share, schema]);
  const list = useAsync(
    (signal) => listPage(`${base}/tables`, { search, pageToken: pager.token, signal }),
    [share, schema, search, pager.token],
  );
  const items = list.data ? list.data.items : [];
  return (
    <>
      <p class="crumbs">
        <Link href="/console/shares">Shares</Link> /{' '}
        <Link href={paths.share(share)}>{share}</Link> /
      </p>
      <h1 tabIndex={-1}>
        Schema {share}.{schema}
      </h1>
      <Loading state={info} />
      <h2>Tables</h2>
      <SearchBox label="Search tables" onSearch={setSearch} />
      <Loading state={list} />
      {list.data && items.length === 0 && <Empty>No tables{search ? ' match' : ' yet'}.</Empty>}
      {items.length > 0 && (
        <table class="data">
          <caption>
            Tables of {share}.{schema}
          </caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Format</th>
              <th scope="col">Location</th>
              <th scope="col">History</th>
              <th scope="col">Partition filter</th>
            </tr>
          </thead>
          <tbody>
            {items.map((t) => (
              <tr>
                <th scope="row">
                  <Link href={paths.table(share, schema, t.name)}>{t.name}</Link>
                </th>
                <td>{t.format}</td>
                <td>
                  <code class="path">{t.location}</code>
                </td>
                <td>{t.historyShared ? `from version ${t.startVersion}` : 'no'}</td>
                <td>{t.partitionFilter ? <code>{t.partitionFilter}</code> : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.data && <Pager pager={pager} nextPageToken={list.data.nextPageToken} label="Tables" />}
      {admin && info.data && (
        <div class="grid">
          <AddTableForm share={share} schema={schema} />
          <RenameSchemaForm key={info.data.version} share={share} schema={info.data} />
          <section class="card danger-zone" aria-labelledby="delete-schema-title">
            <h2 id="delete-schema-title">Delete the schema</h2>
            <ConfirmButton
              label="Delete schema"
              title={`Delete schema ${share}.${schema}?`}
              message={
                `Schema ${share}.${schema} goes` +
                (items.length
                  ? `, with its tables ${items.map((t) => t.name).join(', ')}${list.data.nextPageToken ? ' and more' : ''}.`
                  : '; it has no tables.') +
                ' Recipients of the share lose access to them at once.'
              }
              confirmLabel={`Delete ${schema}`}
              onConfirm={async () => {
                await api('DELETE', base);
                navigate(paths.share(share));
              }}
            />
          </section>
        </div>
      )}
    </>
  );
}
