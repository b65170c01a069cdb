// Adding a table: name, location and format, history sharing, start version,
// partition filter, the format's own settings (Hudi view, Iceberg location
// map); "Check table" has the server read the table first (its
// format, version, schema, partitions, files, size, or the exact error) with
// progress and Cancel, since a big table in an object store takes a while.
import { useState } from 'preact/hooks';

import { api, enc } from '../api.js';
import { navigate, paths } from '../router.jsx';
import { Checkbox, ErrorAlert, Field, Progress, Select, useAction } from '../ui.jsx';
import { Inspection } from './schema_view.jsx';
import { TableOptionFields, formError, useTableOptions } from './table_options.jsx';

export function AddTableForm({ share, schema, schemas = [] }) {
  const [schemaName, setSchemaName] = useState(schema || '');
  const [name, setName] = useState('');
  const [location, setLocation] = useState('');
  const [format, setFormat] = useState('delta');
  const [history, setHistory] = useState(false);
  const [startVersion, setStartVersion] = useState('0');
  const [filter, setFilter] = useState('');
  const [comment, setComment] = useState('');
  const [info, setInfo] = useState(null);
  const options = useTableOptions();
  const check = useAction();
  const add = useAction();
  const listId = `schemas-of-${share}`;

  const onCheck = async () => {
    setInfo(null);
    // Read as the table would be shared: with its Hudi view and location map.
    const body = { location, format, partitionFilter: filter || undefined };
    if (!options.addTo(body, format, false)) return check.setError(null);
    const r = await check.run((signal) => api('POST', '/inspect-table', { body, signal }));
    if (r.ok) setInfo(r.value);
  };
  const onAdd = async (e) => {
    e.preventDefault();
    const target = schema || schemaName;
    const body = { name, location, format, historyShared: history, comment: comment || undefined };
    if (history) body.startVersion = Number(startVersion || 0);
    if (filter) body.partitionFilter = filter;
    if (!options.addTo(body, format, false)) return add.setError(null);
    // The schema is created with the table when missing (the server's job).
    const r = await add.run(() =>
      api('POST', `/shares/${enc(share)}/schemas/${enc(target)}/tables`, { body }),
    );
    if (r.ok) navigate(paths.table(share, target, r.value.name));
  };
  return (
    <form class="card" onSubmit={onAdd} aria-labelledby="add-table-title">
      <h2 id="add-table-title">Add a table</h2>
      {!schema && (
        <Field
          label="Schema"
          value={schemaName}
          onInput={setSchemaName}
          list={listId}
          required
          hint="An existing schema or a new one (created with the table)."
        />
      )}
      {!schema && (
        <datalist id={listId}>
          {schemas.map((s) => (
            <option value={s} />
          ))}
        </datalist>
      )}
      <Field
        label="Table name"
        value={name}
        onInput={setName}
        required
        hint="The name recipients see (an alias: it need not match the table's own name)."
      />
      <Field
        label="Location"
        value={location}
        onInput={setLocation}
        required
        hint="A folder (/data/orders, s3://bucket/orders, abfss://…, gs://…) or an Iceberg metadata file or REST catalog table URL."
      />
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
      <TableOptionFields options={options} format={format} error={add.error || check.error} />
      <Checkbox
        label="Share history (time travel, change data feed, streaming)"
        checked={history}
        onChange={setHistory}
      />
      {history && (
        <Field
          label="Start version"
          type="number"
          min="0"
          value={startVersion}
          onInput={setStartVersion}
          hint="The oldest version recipients may read."
        />
      )}
      <Field
        label="Partition filter (optional)"
        value={filter}
        onInput={setFilter}
        hint="Recipients see only these partitions, e.g. region = 'EU' AND year IN (2023, 2024)."
      />
      <Field label="Comment (optional)" value={comment} onInput={setComment} />
      <div class="buttons">
        <button type="button" onClick={onCheck} disabled={check.busy || !location}>
          Check table
        </button>
        <button type="submit" class="primary" disabled={add.busy}>
          Add table
        </button>
      </div>
      {check.busy && <Progress label="Reading the table" onCancel={check.cancel} />}
      <ErrorAlert error={formError(check.error)} />
      {info && (
        <section aria-label="What the server read">
          <h3>What the server read</h3>
          <Inspection info={info} />
        </section>
      )}
      <ErrorAlert error={formError(add.error)} />
    </form>
  );
}
