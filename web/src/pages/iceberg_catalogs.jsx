// Iceberg catalog connections (/api/v1/iceberg-catalogs): the REST and Glue
// catalogs that tell where Iceberg tables are, and how the server logs in to
// them. A list with a create form, and a page per connection to edit or
// delete it. Secrets are write-only: the API answers only whether each is
// set, and an edit leaves a secret field empty to keep what is stored.
import { useState } from 'preact/hooks';

import { api, enc, listPage } from '../api.js';
import { Link, navigate } from '../router.jsx';
import {
  ConfirmButton,
  Empty,
  ErrorAlert,
  Field,
  Loading,
  Pager,
  SearchBox,
  Select,
  fmtTime,
  useAction,
  useAsync,
  usePager,
} from '../ui.jsx';

const TYPES = [
  ['rest', 'Iceberg REST catalog'],
  ['glue', 'AWS Glue'],
];

const KINDS = [
  ['none', 'None'],
  ['bearer', 'Bearer token'],
  ['oauth2', 'OAuth2 client credentials'],
  ['sigv4', 'AWS SigV4'],
];

// The text fields of each login kind: [request field, label, hint].
const KIND_FIELDS = {
  none: [],
  bearer: [],
  oauth2: [
    ['clientId', 'Client id', ''],
    ['scope', 'Scope', 'Asked for with the token (default: catalog).'],
    ['tokenEndpoint', 'Token endpoint (optional)', 'Default: <URI>/v1/oauth/tokens.'],
  ],
  sigv4: [
    ['signingName', 'Signing name', 'The service signed for: glue, s3tables (Glue: glue).'],
    ['region', 'Region', "Empty: the server's AWS_REGION."],
    ['accessKeyId', 'Access key id', "Empty: the server's AWS credentials."],
  ],
};

// The secrets of each login kind: [request field, label, answer's "…Set" field].
const KIND_SECRETS = {
  none: [],
  bearer: [['token', 'Token', 'tokenSet']],
  oauth2: [['clientSecret', 'Client secret', 'clientSecretSet']],
  sigv4: [
    ['secretAccessKey', 'Secret access key', 'secretAccessKeySet'],
    ['sessionToken', 'Session token (temporary keys only)', 'sessionTokenSet'],
  ],
};

function typeText(type) {
  const found = TYPES.find(([t]) => t === type);
  return found ? found[1] : type;
}

function kindText(kind) {
  const found = KINDS.find(([k]) => k === kind);
  return found ? found[1] : kind;
}

const catalogPath = (name) => `/console/iceberg-catalogs/${enc(name)}`;

// The form's state: a connection's fields, its login's text fields and the
// secrets typed in (never the stored ones: the API does not give them).
function useCatalogForm(catalog) {
  const auth = (catalog && catalog.auth) || {};
  const [name, setName] = useState((catalog && catalog.name) || '');
  const [type, setType] = useState((catalog && catalog.type) || 'rest');
  const [uri, setUri] = useState((catalog && catalog.uri) || '');
  const [catalogId, setCatalogId] = useState((catalog && catalog.catalogId) || '');
  const [kind, setKind] = useState(auth.kind || 'none');
  const [texts, setTexts] = useState(() => {
    const out = { scope: catalog ? '' : 'catalog' };
    for (const fields of Object.values(KIND_FIELDS)) {
      for (const [f] of fields) if (auth[f] !== undefined) out[f] = auth[f];
    }
    return out;
  });
  const [secrets, setSecrets] = useState({});
  return {
    name,
    setName,
    type,
    setType: (t) => {
      setType(t);
      if (t === 'glue') setKind('sigv4');
    },
    uri,
    setUri,
    catalogId,
    setCatalogId,
    kind,
    setKind,
    text: (f) => texts[f] || '',
    setText: (f, v) => setTexts((t) => ({ ...t, [f]: v })),
    secret: (f) => secrets[f] || '',
    setSecret: (f, v) => setSecrets((s) => ({ ...s, [f]: v })),
    clearSecrets: () => setSecrets({}),
    // The request body: every text field of the login kind (empty: unset,
    // e.g. no scope) and only the secrets typed in (an edit keeps the
    // others); a new kind drops the old kind's settings (the server's rule).
    body() {
      const body = { type, uri };
      if (type === 'glue' || catalogId) body.catalogId = catalogId;
      const a = { kind };
      for (const [f] of KIND_FIELDS[kind]) a[f] = texts[f] || '';
      for (const [f] of KIND_SECRETS[kind]) {
        if (secrets[f]) a[f] = secrets[f];
      }
      body.auth = a;
      if (!catalog) body.name = name;
      else body.version = catalog.version;
      return body;
    },
  };
}

function CatalogFields({ form, catalog }) {
  const auth = (catalog && catalog.auth) || {};
  return (
    <>
      {!catalog && (
        <Field
          label="Catalog name"
          value={form.name}
          onInput={form.setName}
          required
          autocomplete="off"
          hint="Letters, digits, '.', '_' and '-'. glue://<name>/<database>/<table> locations name it."
        />
      )}
      <Select label="Type" value={form.type} onChange={form.setType} options={TYPES} />
      <Field
        label="URI"
        value={form.uri}
        onInput={form.setUri}
        required={form.type === 'rest'}
        hint={
          form.type === 'rest'
            ? "The catalog's base URL, before /v1: table locations under it use this connection."
            : 'The Glue endpoint (empty: https://glue.<region>.amazonaws.com).'
        }
      />
      {form.type === 'glue' && (
        <Field
          label="Catalog id (optional)"
          value={form.catalogId}
          onInput={form.setCatalogId}
          hint="The AWS account id of the catalog (empty: the caller's)."
        />
      )}
      <fieldset>
        <legend>Login</legend>
        <Select
          label="Login kind"
          value={form.kind}
          onChange={form.setKind}
          options={form.type === 'glue' ? KINDS.filter(([k]) => k === 'sigv4') : KINDS}
        />
        {KIND_FIELDS[form.kind].map(([f, label, hint]) => (
          <Field
            label={label}
            value={form.text(f)}
            onInput={(v) => form.setText(f, v)}
            hint={hint || undefined}
            autocomplete="off"
          />
        ))}
        {KIND_SECRETS[form.kind].map(([f, label, setFlag]) => {
          // Stored under the same kind: "set" (empty keeps it) or "not set".
          const stored = catalog && auth.kind === form.kind ? (auth[setFlag] ? 'set' : 'not set') : null;
          return (
            <Field
              label={stored ? `${label} (${stored})` : label}
              type="password"
              value={form.secret(f)}
              onInput={(v) => form.setSecret(f, v)}
              autocomplete="new-password"
              hint={
                stored === 'set'
                  ? 'Stored and never shown. Leave empty to keep it; type a new one to replace it.'
                  : 'Write-only: the console never shows it again.'
              }
            />
          );
        })}
      </fieldset>
    </>
  );
}

function CreateCatalogForm() {
  const form = useCatalogForm(null);
  const action = useAction();
  const submit = async (e) => {
    e.preventDefault();
    const r = await action.run(() => api('POST', '/iceberg-catalogs', { body: form.body() }));
    if (r.ok) navigate(catalogPath(r.value.name));
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="create-catalog-title">
      <h2 id="create-catalog-title">Add a catalog connection</h2>
      <CatalogFields form={form} catalog={null} />
      <ErrorAlert error={action.error} />
      <button type="submit" class="primary" disabled={action.busy}>
        Add catalog
      </button>
    </form>
  );
}

export function IcebergCatalogsPage({ session }) {
  const [search, setSearch] = useState('');
  const pager = usePager(search);
  const list = useAsync(
    (signal) => listPage('/iceberg-catalogs', { search, pageToken: pager.token, signal }),
    [search, pager.token],
  );
  const items = list.data ? list.data.items : [];
  return (
    <>
      <h1 tabIndex={-1}>Iceberg catalogs</h1>
      <p class="muted">
        Catalog services that say where Iceberg tables are (a table's location names a REST
        catalog's table URL or glue://catalog/database/table), and how the server logs in to them.
        Those of the config file are not listed here.
      </p>
      <SearchBox label="Search catalogs" onSearch={setSearch} />
      <Loading state={list} />
      {list.data && items.length === 0 && (
        <Empty>No catalog connections{search ? ' match' : ' yet'}.</Empty>
      )}
      {items.length > 0 && (
        <table class="data">
          <caption>Iceberg catalog connections</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">URI</th>
              <th scope="col">Login</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr>
                <th scope="row">
                  <Link href={catalogPath(c.name)}>{c.name}</Link>
                </th>
                <td>{typeText(c.type)}</td>
                <td>{c.uri ? <code class="path">{c.uri}</code> : '—'}</td>
                <td>{kindText(c.auth && c.auth.kind)}</td>
                <td>{fmtTime(c.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.data && <Pager pager={pager} nextPageToken={list.data.nextPageToken} label="Catalogs" />}
      {session.role === 'admin' && <CreateCatalogForm />}
    </>
  );
}

function EditCatalogForm({ catalog, onSaved }) {
  const form = useCatalogForm(catalog);
  const action = useAction();
  const submit = async (e) => {
    e.preventDefault();
    const r = await action.run(() =>
      api('PATCH', `/iceberg-catalogs/${enc(catalog.name)}`, { body: form.body() }),
    );
    if (r.ok) {
      form.clearSecrets();
      onSaved();
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="edit-catalog-title">
      <h2 id="edit-catalog-title">Edit the connection</h2>
      <CatalogFields form={form} catalog={catalog} />
      <ErrorAlert error={action.error} />
      <button type="submit" class="primary" disabled={action.busy}>
        Save catalog
      </button>
    </form>
  );
}

// "set" / "not set" for each secret of the stored kind.
function SecretFacts({ auth }) {
  return KIND_SECRETS[auth.kind]
    ? KIND_SECRETS[auth.kind].map(([, label, flag]) => (
        <>
          <dt>{label}</dt>
          <dd>{auth[flag] ? 'set' : 'not set'}</dd>
        </>
      ))
    : null;
}

export function IcebergCatalogPage({ params, session }) {
  const { catalog } = params;
  const admin = session.role === 'admin';
  const base = `/iceberg-catalogs/${enc(catalog)}`;
  const info = useAsync((signal) => api('GET', base, { signal }), [base]);
  const c = info.data;
  const auth = (c && c.auth) || {};
  return (
    <>
      <p class="crumbs">
        <Link href="/console/iceberg-catalogs">Iceberg catalogs</Link> /
      </p>
      <h1 tabIndex={-1}>Iceberg catalog {catalog}</h1>
      <Loading state={info} />
      {c && (
        <dl class="facts">
          <dt>Type</dt>
          <dd>{typeText(c.type)}</dd>
          <dt>URI</dt>
          <dd>{c.uri ? <code class="path">{c.uri}</code> : '—'}</dd>
          {c.catalogId && (
            <>
              <dt>Catalog id</dt>
              <dd>{c.catalogId}</dd>
            </>
          )}
          <dt>Login</dt>
          <dd>{kindText(auth.kind)}</dd>
          {(KIND_FIELDS[auth.kind] || [])
            .filter(([f]) => auth[f])
            .map(([f, label]) => (
              <>
                <dt>{label.replace(' (optional)', '')}</dt>
                <dd>
                  <code>{auth[f]}</code>
                </dd>
              </>
            ))}
          <SecretFacts auth={auth} />
          <dt>Updated</dt>
          <dd>{fmtTime(c.updatedAt)}</dd>
        </dl>
      )}
      {admin && c && (
        <div class="grid">
          <EditCatalogForm key={c.version} catalog={c} onSaved={info.reload} />
          <section class="card danger-zone" aria-labelledby="delete-catalog-title">
            <h2 id="delete-catalog-title">Delete the connection</h2>
            <p>Refused while a shared table's location names it.</p>
            <ConfirmButton
              label="Delete catalog"
              title={`Delete Iceberg catalog ${catalog}?`}
              message={`The connection ${catalog} and its stored secrets go at once.`}
              confirmLabel={`Delete ${catalog}`}
              onConfirm={async () => {
                await api('DELETE', base);
                navigate('/console/iceberg-catalogs');
              }}
            />
          </section>
        </div>
      )}
    </>
  );
}
