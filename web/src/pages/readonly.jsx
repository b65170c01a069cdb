// The console of a server whose catalog is a YAML file: read-only, through
// the Delta Sharing API itself with a bearer token the visitor types in (the
// config's authorization.bearerToken sees every share). The token stays in
// this page's memory only.
import { useState } from 'preact/hooks';

import { ErrorAlert, Field, Loading, useAction, useAsync } from '../ui.jsx';
import { ApiError } from '../api.js';
import { SchemaView } from './schema_view.jsx';

async function sharing(server, token, path, signal) {
  const res = await fetch(`${server.sharingEndpoint}${path}`, {
    headers: { Authorization: `Bearer ${token}` },
    signal,
    cache: 'no-store',
  });
  const text = await res.text();
  if (!res.ok) {
    let message = text.slice(0, 300);
    let code = '';
    try {
      const j = JSON.parse(text);
      message = j.message || message;
      code = j.errorCode || '';
    } catch {}
    throw new ApiError(res.status, code, message);
  }
  return text;
}

async function allTables(server, token, signal) {
  const shares = [];
  let pageToken = '';
  do {
    const q = pageToken ? `?pageToken=${encodeURIComponent(pageToken)}` : '';
    const r = JSON.parse(await sharing(server, token, `/shares${q}`, signal));
    shares.push(...(r.items || []));
    pageToken = r.nextPageToken || '';
  } while (pageToken);
  const out = [];
  for (const s of shares) {
    let tok = '';
    do {
      const q = tok ? `?pageToken=${encodeURIComponent(tok)}` : '';
      const r = JSON.parse(
        await sharing(server, token, `/shares/${encodeURIComponent(s.name)}/all-tables${q}`, signal),
      );
      out.push(...(r.items || []));
      tok = r.nextPageToken || '';
    } while (tok);
    if (!out.some((t) => t.share === s.name)) out.push({ share: s.name });
  }
  return out;
}

function TableMetadata({ server, token, table }) {
  const path =
    `/shares/${encodeURIComponent(table.share)}/schemas/${encodeURIComponent(table.schema)}` +
    `/tables/${encodeURIComponent(table.name)}/metadata`;
  const meta = useAsync(async (signal) => {
    const lines = (await sharing(server, token, path, signal)).split('\n').filter(Boolean);
    const m = lines.map((l) => JSON.parse(l)).find((l) => l.metaData);
    return m && m.metaData;
  }, [path]);
  return (
    <section aria-label={`Schema of ${table.name}`}>
      <Loading state={meta} label="Reading the table" />
      {meta.data && (
        <SchemaView
          schema={meta.data.schemaString}
          partitionColumns={meta.data.partitionColumns || []}
          caption={`Columns of ${table.share}.${table.schema}.${table.name}`}
        />
      )}
    </section>
  );
}

export function ReadOnlyCatalog({ server }) {
  const [token, setToken] = useState('');
  const [tables, setTables] = useState(null);
  const [open, setOpen] = useState(null);
  const action = useAction();
  const submit = async (e) => {
    e.preventDefault();
    setOpen(null);
    const r = await action.run((signal) => allTables(server, token, signal));
    if (r.ok) setTables(r.value);
  };
  return (
    <main id="main">
      <h1 tabIndex={-1}>lakeshare catalog (read-only)</h1>
      <p class="notice">
        This server reads its shares from a YAML file that it never writes, so they cannot be
        edited here: change the file, or move the catalog into a database with{' '}
        <code>lakeshare import-config</code> and <code>catalogUrl</code> to manage it in this
        console.
      </p>
      <form class="card inline" onSubmit={submit}>
        <Field
          label="Bearer token"
          type="password"
          value={token}
          onInput={setToken}
          autocomplete="off"
          required
          hint="A recipient's token, or the config's authorization.bearerToken to see every share."
        />
        <button type="submit" class="primary" disabled={action.busy}>
          Show catalog
        </button>
      </form>
      <ErrorAlert error={action.error} />
      {tables && (
        <table class="data">
          <caption>Shared tables</caption>
          <thead>
            <tr>
              <th scope="col">Share</th>
              <th scope="col">Schema</th>
              <th scope="col">Table</th>
              <th scope="col">Columns</th>
            </tr>
          </thead>
          <tbody>
            {tables.map((t) => (
              <tr>
                <th scope="row">{t.share}</th>
                <td>{t.schema || '—'}</td>
                <td>{t.name || '(no tables)'}</td>
                <td>
                  {t.name && (
                    <button
                      type="button"
                      aria-expanded={open === t}
                      onClick={() => setOpen(open === t ? null : t)}
                    >
                      {open === t ? 'Hide' : 'Show'} columns of {t.name}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && <TableMetadata server={server} token={token} table={open} />}
    </main>
  );
}
