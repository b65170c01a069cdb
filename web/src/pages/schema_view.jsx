// A table's schema (the Delta/Spark JSON schema the server reports) as a
// table of columns, nested fields flattened to dotted names so that structs,
// arrays and maps stay readable; and the result of reading a table.
import { fmtBytes, fmtTime } from '../ui.jsx';

export function typeText(t) {
  if (typeof t === 'string') return t;
  if (!t || typeof t !== 'object') return String(t);
  if (t.type === 'struct') return 'struct';
  if (t.type === 'array') return `array<${typeText(t.elementType)}>`;
  if (t.type === 'map') return `map<${typeText(t.keyType)}, ${typeText(t.valueType)}>`;
  return t.type || JSON.stringify(t);
}

function flatten(fields, prefix, depth, out) {
  for (const f of fields || []) {
    const name = prefix ? `${prefix}.${f.name}` : f.name;
    out.push({ name, depth, type: typeText(f.type), nullable: f.nullable !== false });
    let inner = f.type;
    let suffix = '';
    while (inner && typeof inner === 'object' && (inner.type === 'array' || inner.type === 'map')) {
      if (inner.type === 'array') {
        inner = inner.elementType;
        suffix += '[]';
      } else {
        inner = inner.valueType;
        suffix += '{}';
      }
    }
    if (inner && typeof inner === 'object' && inner.type === 'struct' && depth < 8) {
      flatten(inner.fields, name + suffix, depth + 1, out);
    }
  }
  return out;
}

export function SchemaView({ schema, partitionColumns = [], caption = 'Columns' }) {
  const s = typeof schema === 'string' ? JSON.parse(schema) : schema;
  const rows = flatten(s && s.fields, '', 0, []);
  return (
    <table class="data">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Column</th>
          <th scope="col">Type</th>
          <th scope="col">Nullable</th>
          <th scope="col">Partition</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr>
            <th scope="row" class={`depth-${Math.min(r.depth, 4)}`}>
              <code>{r.name}</code>
            </th>
            <td>
              <code>{r.type}</code>
            </td>
            <td>{r.nullable ? 'yes' : 'no'}</td>
            <td>{partitionColumns.includes(r.name) ? 'yes' : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// The answer of an inspection (POST /api/v1/inspect-table, GET …/inspect).
export function Inspection({ info }) {
  const pf = info.partitionFilter;
  return (
    <div class="inspection">
      <dl class="facts">
        <dt>Format</dt>
        <dd>{info.format}</dd>
        <dt>Latest version</dt>
        <dd>
          {info.version}
          {info.timestamp ? ` (${fmtTime(info.timestamp)})` : ''}
        </dd>
        <dt>Partition columns</dt>
        <dd>{(info.partitionColumns || []).join(', ') || 'none'}</dd>
        <dt>Files</dt>
        <dd>{info.numFiles}</dd>
        <dt>Total size</dt>
        <dd>{fmtBytes(info.sizeBytes)}</dd>
        {info.readerFeatures && info.readerFeatures.length > 0 && (
          <>
            <dt>Reader features</dt>
            <dd>{info.readerFeatures.join(', ')}</dd>
          </>
        )}
        {pf && (
          <>
            <dt>Partition filter</dt>
            <dd>
              keeps {pf.partitionsKept} of {pf.partitionsTotal} partitions ({pf.filesKept} files)
              {pf.kept && pf.kept.length > 0 && (
                <ul class="kept">
                  {pf.kept.map((p) => (
                    <li>
                      <code>
                        {Object.entries(p)
                          .map(([k, v]) => `${k}=${v === null ? 'null' : v}`)
                          .join(', ')}
                      </code>
                    </li>
                  ))}
                </ul>
              )}
            </dd>
          </>
        )}
      </dl>
      {info.schema && <SchemaView schema={info.schema} partitionColumns={info.partitionColumns} />}
    </div>
  );
}
