// A shared table's format-specific settings as the admin API has them:
// Hudi's view (hudiView: snapshot | read_optimized) and an Iceberg table's
// location map (locationMap: recorded location prefix → real location, in
// order). Shown on the table's page, edited in the add and edit forms; the
// server validates both, and its error about one of them (its message names
// the field) is shown beside that field rather than at the form's foot.
import { useState } from 'preact/hooks';

import { ApiError } from '../api.js';
import { ErrorAlert, useId } from '../ui.jsx';

const HUDI_VIEWS = [
  ['snapshot', 'Snapshot (log files merged)'],
  ['read_optimized', 'Read-optimized (base files only)'],
];

export function hudiViewText(view) {
  const found = HUDI_VIEWS.find(([v]) => v === view);
  return found ? found[1] : view;
}

// The API error of `action` that is about the request field `name`, else
// null. The server names the field in such messages ("locationMap: '…' is
// not an absolute path or a URI", "field 'hudiView' must be …").
export function fieldError(error, name) {
  if (!(error instanceof ApiError) || error.status < 400 || error.status >= 500) return null;
  return new RegExp(`\\b${name}\\b`).test(error.message) ? error : null;
}

// The form's own alert: the error unless one of these fields shows it.
export function formError(error) {
  return fieldError(error, 'hudiView') || fieldError(error, 'locationMap') ? null : error;
}

// Hudi's view as radios in a fieldset, the server's refusal inside it.
export function HudiViewChoice({ value, onChange, error }) {
  const id = useId('hv');
  return (
    <fieldset aria-labelledby={`${id}-legend`} aria-describedby={`${id}-hint`}>
      <legend id={`${id}-legend`}>Hudi view</legend>
      <small id={`${id}-hint`} class="hint">
        What recipients read of a merge-on-read table: the merged rows, or the base files alone
        (faster, but without the latest updates).
      </small>
      {HUDI_VIEWS.map(([v, text]) => (
        <div class="field check">
          <input
            type="radio"
            id={`${id}-${v}`}
            name={id}
            value={v}
            checked={value === v}
            onChange={() => onChange(v)}
          />
          <label for={`${id}-${v}`}>{text}</label>
        </div>
      ))}
      <ErrorAlert error={error} />
    </fieldset>
  );
}

// Location map rows: [{id, from, to}]; ids keep inputs stable while rows
// come and go.
let rowIds = 0;
export function mapRows(map) {
  return Object.entries(map || {}).map(([from, to]) => ({ id: ++rowIds, from, to }));
}

// The map a form sends: rows left wholly empty are dropped; a prefix given
// twice is refused here (a JSON object cannot carry it to the server).
export function mapOfRows(rows) {
  const map = {};
  for (const { from, to } of rows) {
    if (from === '' && to === '') continue;
    if (Object.prototype.hasOwnProperty.call(map, from)) {
      return { problem: new Error(`The location map names the prefix '${from}' twice.`) };
    }
    map[from] = to;
  }
  return { map };
}

export function LocationMapEditor({ rows, onChange, error }) {
  const legendId = useId('lm');
  const set = (id, key, value) =>
    onChange(rows.map((r) => (r.id === id ? { ...r, [key]: value } : r)));
  return (
    <fieldset class="location-map" aria-labelledby={legendId}>
      <legend id={legendId}>Location map (Iceberg)</legend>
      <small class="hint">
        For a table copied or mounted elsewhere: files the metadata records under a prefix are read
        from the real location instead (an absolute path or a URI), e.g. /test-warehouse/ →
        /data/warehouse/. The longest matching prefix wins.
      </small>
      {rows.map((r, i) => (
        <MapRow
          key={r.id}
          n={i + 1}
          row={r}
          onFrom={(v) => set(r.id, 'from', v)}
          onTo={(v) => set(r.id, 'to', v)}
          onRemove={() => onChange(rows.filter((x) => x.id !== r.id))}
        />
      ))}
      <div class="buttons">
        <button type="button" onClick={() => onChange([...rows, { id: ++rowIds, from: '', to: '' }])}>
          Add a mapping
        </button>
      </div>
      <ErrorAlert error={error} />
    </fieldset>
  );
}

function MapRow({ n, row, onFrom, onTo, onRemove }) {
  const id = useId('lmr');
  return (
    <div class="map-row">
      <div class="field">
        <label for={`${id}-from`}>Recorded prefix {n}</label>
        <input
          id={`${id}-from`}
          value={row.from}
          onInput={(e) => onFrom(e.currentTarget.value)}
          required
        />
      </div>
      <div class="field">
        <label for={`${id}-to`}>Real location {n}</label>
        <input id={`${id}-to`} value={row.to} onInput={(e) => onTo(e.currentTarget.value)} required />
      </div>
      <button type="button" onClick={onRemove} aria-label={`Remove mapping ${n}`}>
        Remove
      </button>
    </div>
  );
}

// The table page's facts for these settings (inside its <dl>).
export function TableOptionFacts({ table }) {
  const entries = Object.entries(table.locationMap || {});
  return (
    <>
      {table.format === 'hudi' && (
        <>
          <dt>Hudi view</dt>
          <dd>{hudiViewText(table.hudiView || 'snapshot')}</dd>
        </>
      )}
      {(table.format === 'iceberg' || entries.length > 0) && (
        <>
          <dt>Location map</dt>
          <dd>
            {entries.length === 0 ? (
              'none (files are read where the metadata records them)'
            ) : (
              <table class="data compact">
                <caption>Location map</caption>
                <thead>
                  <tr>
                    <th scope="col">Recorded prefix</th>
                    <th scope="col">Real location</th>
                  </tr>
                </thead>
                <tbody>
                  {entries.map(([from, to]) => (
                    <tr>
                      <td>
                        <code class="path">{from}</code>
                      </td>
                      <td>
                        <code class="path">{to}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </dd>
        </>
      )}
    </>
  );
}

// The editing state of both settings, for a form: `table` is the saved
// table (edit) or undefined (add).
export function useTableOptions(table) {
  const [hudiView, setHudiView] = useState((table && table.hudiView) || 'snapshot');
  const [rows, setRows] = useState(() => mapRows(table && table.locationMap));
  const [problem, setProblem] = useState(null);
  return {
    hudiView,
    setHudiView,
    rows,
    setRows: (r) => {
      setProblem(null);
      setRows(r);
    },
    problem,
    // Adds the fields to `body` for `format`; false (and the problem shown
    // beside the map) when the map cannot be sent. `always`: send both even
    // at their defaults (an edit, so that clearing them is saved).
    addTo(body, format, always) {
      const { map, problem: p } = mapOfRows(rows);
      setProblem(p || null);
      if (p) return false;
      if (always || format === 'hudi' || hudiView !== 'snapshot') body.hudiView = hudiView;
      if (always || Object.keys(map).length > 0) body.locationMap = map;
      return true;
    },
  };
}

// The two fields in a form, each shown when the format uses it or when it
// holds a value (so that the server's refusal of it for another format
// appears beside it).
export function TableOptionFields({ options, format, error }) {
  return (
    <>
      {(format === 'hudi' || options.hudiView !== 'snapshot' || fieldError(error, 'hudiView')) && (
        <HudiViewChoice
          value={options.hudiView}
          onChange={options.setHudiView}
          error={fieldError(error, 'hudiView')}
        />
      )}
      {(format === 'iceberg' || options.rows.length > 0 || fieldError(error, 'locationMap')) && (
        <LocationMapEditor
          rows={options.rows}
          onChange={options.setRows}
          error={options.problem || fieldError(error, 'locationMap')}
        />
      )}
    </>
  );
}
