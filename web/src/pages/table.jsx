// A table: its settings (edit, delete), its schema as the server reads it,
// its version history, and a preview of the first rows of a version as the
// recipient would see them (the share's partition filter applied).
import { useState } from 'preact/hooks';

import { api, enc } from '../api.js';
import { Link, navigate, paths } from '../router.jsx';
import {
  Checkbox,
  ConfirmButton,
  Empty,
  ErrorAlert,
  Field,
  Loading,
  Pager,
  Progress,
  Select,
  fmtTime,
  useAction,
  useAsync,
  usePager,
} from '../ui.jsx';
import { Inspection, typeText } from './schema_view.jsx';
import { TableOptionFacts, TableOptionFields, formError, useTableOptions } from './table_options.jsx';

const CELL_LIMIT = 200;

function cellText(v) {
  if (v === null || v === undefined) return null;
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s;
}

// A value; `cut` when the server cut it (too large to show whole).
function Cell({ value, cut }) {
  const s = cellText(value);
  if (s === null) return <td class="null">null</td>;
  const mark = cut ? <span class="muted cut"> … (cut by the server)</span> : null;
  if (s.length > CELL_LIMIT) {
    return (
      <td title={s} data-cut={cut ? 'server' : 'page'}>
        {s.slice(0, CELL_LIMIT)}
        <span class="muted">… ({s.length} characters)</span>
        {mark}
      </td>
    );
  }
  return <td data-cut={cut ? 'server' : undefined}>{s}{mark}</td>;
}

function Preview({ base, table }) {
  const [version, setVersion] = useState('');
  const [data, setData] = useState(null);
  const action = useAction();
  const load = async (e) => {
    e.preventDefault();
    setData(null);
    const r = await action.run((signal) =>
      api('GET', `${base}/preview`, { query: { version, limit: 100 }, signal }),
    );
    if (r.ok) setData(r.value);
  };
  const cutCells = new Set(((data && data.truncatedCells) || []).map(([r, c]) => `${r},${c}`));
  return (
    <section aria-labelledby="preview-title">
      <h2 id="preview-title">Data preview</h2>
      <p class="muted">
        The first 100 rows, read by the server the way a recipient would see them
        {table.partitionFilter ? ' (partition filter applied)' : ''}. Long values are cut.
      </p>
      <form class="inline" onSubmit={load}>
        <Field
          label="Version (empty: latest)"
          type="number"
          min="0"
          value={version}
          onInput={setVersion}
        />
        <button type="submit" class="primary" disabled={action.busy}>
          Show rows
        </button>
      </form>
      {action.busy && <Progress label="Reading rows" onCancel={action.cancel} />}
      <ErrorAlert error={action.error} />
      {data && (
        <>
          <p>
            Version {data.version}: {data.rows.length} row(s)
            {data.rowsTruncated ? ' (more exist)' : ''}
            {data.truncatedValues ? `, ${data.truncatedValues} value(s) cut` : ''}.
            {data.stopped ? ` Stopped early: ${data.stopped}.` : ''}
          </p>
          <div class="scroll">
            <table class="data preview">
              <caption>
                Rows of {table.share}.{table.schema}.{table.name} at version {data.version}
              </caption>
              <thead>
                <tr>
                  {data.columns.map((c) => (
                    <th scope="col">
                      {c.name}
                      <span class="type">{typeText(c.type)}</span>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.rows.map((row, r) => (
                  <tr>
                    {row.map((v, c) => (
                      <Cell value={v} cut={cutCells.has(`${r},${c}`)} />
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function History({ base }) {
  const pager = usePager(base);
  const list = useAsync(
    (signal) => api('GET', `${base}/history`, { query: { maxResults: 20, pageToken: pager.token }, signal }),
    [base, pager.token],
  );
  const items = list.data ? list.data.items || [] : [];
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">Version history</h2>
      <Loading state={list} label="Reading the history" />
      {list.data && items.length === 0 && <Empty>No versions.</Empty>}
      {items.length > 0 && (
        <table class="data">
          <caption>Versions, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Time</th>
              <th scope="col">Operation</th>
              <th scope="col">Files added</th>
              <th scope="col">Files removed</th>
            </tr>
          </thead>
          <tbody>
            {items.map((v) => (
              <tr>
                <th scope="row">{v.version}</th>
                <td>{fmtTime(v.timestamp)}</td>
                <td>{v.operation}</td>
                <td>{v.filesAdded}</td>
                <td>{v.filesRemoved}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.data && <Pager pager={pager} nextPageToken={list.data.nextPageToken} label="History" />}
    </section>
  );
}

function EditTableForm({ base, table, onSaved }) {
  const [name, setName] = useState(table.name);
  const [location, setLocation] = useState(table.location);
  const [format, setFormat] = useState(table.format);
  const [history, setHistory] = useState(table.historyShared);
  const [startVersion, setStartVersion] = useState(String(table.startVersion || 0));
  const [filter, setFilter] = useState(table.partitionFilter || '');
  const [comment, setComment] = useState(table.comment || '');
  const options = useTableOptions(table);
  const action = useAction();
  const submit = async (e) => {
    e.preventDefault();
    const body = {
      location,
      format,
      historyShared: history,
      startVersion: Number(startVersion || 0),
      partitionFilter: filter,
      comment,
      version: table.version,
    };
    if (name !== table.name) body.name = name;
    if (!options.addTo(body, format, true)) return action.setError(null);
    const r = await action.run(() => api('PATCH', base, { body }));
    if (r.ok) {
      if (r.value.name !== table.name) {
        navigate(paths.table(table.share, table.schema, r.value.name), { replace: true });
      } else {
        onSaved();
      }
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="edit-table-title">
      <h2 id="edit-table-title">Edit the table</h2>
      <Field label="Table name" value={name} onInput={setName} required />
      <Field label="Location" value={location} onInput={setLocation} required />
      <Select
        label="Format"
        value={format}
        onChange={setFormat}
        options={[
          ['delta', 'Delta'],
          ['iceberg', 'Iceberg'],
          ['hudi', 'Hudi'],
        ]}
      />
      <TableOptionFields options={options} format={format} error={action.error} />
      <Checkbox label="Share history" checked={history} onChange={setHistory} />
      <Field
        label="Start version"
        type="number"
        min="0"
        value={startVersion}
        onInput={setStartVersion}
      />
      <Field
        label="Partition filter"
        value={filter}
        onInput={setFilter}
        hint="Empty: recipients see every partition."
      />
      <Field label="Comment" value={comment} onInput={setComment} />
      <ErrorAlert error={formError(action.error)} />
      <button type="submit" class="primary" disabled={action.busy}>
        Save table
      </button>
    </form>
  );
}

export function TablePage({ params, session }) {
  const { share, schema, table } = params;
  const admin = session.role === 'admin';
  const base = `/shares/${enc(share)}/schemas/${enc(schema)}/tables/${enc(table)}`;
  const info = useAsync((signal) => api('GET', base, { signal }), [base]);
  const inspect = useAsync((signal) => api('GET', `${base}/inspect`, { signal }), [base]);
  const t = info.data;
  return (
    <>
      <p class="crumbs">
        <Link href="/console/shares">Shares</Link> /{' '}
        <Link href={paths.share(share)}>{share}</Link> /{' '}
        <Link href={paths.schema(share, schema)}>{schema}</Link> /
      </p>
      <h1 tabIndex={-1}>
        Table {share}.{schema}.{table}
      </h1>
      <Loading state={info} />
      {t && (
        <dl class="facts">
          <dt>Location</dt>
          <dd>
            <code class="path">{t.location}</code>
          </dd>
          <dt>Format</dt>
          <dd>{t.format}</dd>
          <TableOptionFacts table={t} />
          <dt>History shared</dt>
          <dd>{t.historyShared ? `yes, from version ${t.startVersion}` : 'no'}</dd>
          <dt>Partition filter</dt>
          <dd>{t.partitionFilter ? <code>{t.partitionFilter}</code> : 'none (every partition)'}</dd>
          <dt>Comment</dt>
          <dd>{t.comment || '—'}</dd>
          <dt>Updated</dt>
          <dd>{fmtTime(t.updatedAt)}</dd>
        </dl>
      )}
      <section aria-labelledby="schema-title">
        <h2 id="schema-title">Schema</h2>
        <Loading state={inspect} label="Reading the table" />
        {inspect.data && <Inspection info={inspect.data} />}
      </section>
      <History base={base} />
      {t && <Preview base={base} table={t} />}
      {admin && t && (
        <div class="grid">
          <EditTableForm key={t.version} base={base} table={t} onSaved={info.reload} />
          <section class="card danger-zone" aria-labelledby="delete-table-title">
            <h2 id="delete-table-title">Remove the table</h2>
            <p>The table's files stay where they are; recipients stop seeing it.</p>
            <ConfirmButton
              label="Remove table"
              title={`Remove table ${share}.${schema}.${table}?`}
              message={`Table ${share}.${schema}.${table} leaves the share at once (its data at ${t.location} is not touched).`}
              confirmLabel={`Remove ${table}`}
              onConfirm={async () => {
                await api('DELETE', base);
                navigate(paths.schema(share, schema));
              }}
            />
          </section>
        </div>
      )}
    </>
  );
}
