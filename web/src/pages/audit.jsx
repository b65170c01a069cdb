// The audit log: filters (who, what, outcome, time range), paging, and a
// CSV export of everything the filters match (read page by page, with
// progress and Cancel).
import { useState } from 'preact/hooks';

import { api } from '../api.js';
import {
  ErrorAlert,
  Field,
  Loading,
  Pager,
  Progress,
  Select,
  downloadFile,
  fmtTime,
  useAction,
  useAsync,
  usePager,
} from '../ui.jsx';

const OUTCOMES = [
  ['', 'Any'],
  ['ok', 'ok'],
  ['denied', 'denied'],
  ['error', 'error'],
  ['aborted', 'aborted'],
];
const COLUMNS = [
  'id',
  'time',
  'actorKind',
  'actor',
  'action',
  'object',
  'outcome',
  'detail',
  'numFiles',
  'remoteAddress',
];
const EXPORT_LIMIT = 100000;

function toQuery(f) {
  const iso = (v) => (v ? new Date(v).toISOString() : undefined);
  return {
    actor: f.actor,
    action: f.action,
    object: f.object,
    outcome: f.outcome,
    from: iso(f.from),
    to: iso(f.to),
  };
}

function csvCell(v) {
  if (v === undefined || v === null) return '';
  const s = String(v);
  // Quoted always; a leading formula character is neutralised for spreadsheets.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return `"${safe.replace(/"/g, '""')}"`;
}

export function AuditPage() {
  const empty = { actor: '', action: '', object: '', outcome: '', from: '', to: '' };
  const [draft, setDraft] = useState(empty);
  const [filters, setFilters] = useState(empty);
  const [pageSize, setPageSize] = useState('50');
  const [progress, setProgress] = useState(0);
  const pager = usePager(JSON.stringify(filters) + pageSize);
  const list = useAsync(
    (signal) =>
      api('GET', '/audit', {
        query: { ...toQuery(filters), maxResults: pageSize, pageToken: pager.token },
        signal,
      }),
    [JSON.stringify(filters), pageSize, pager.token],
  );
  const exporter = useAction();
  const set = (k) => (v) => setDraft((d) => ({ ...d, [k]: v }));
  const apply = (e) => {
    e.preventDefault();
    setFilters(draft);
  };
  const exportCsv = async () => {
    setProgress(0);
    const r = await exporter.run(async (signal) => {
      const lines = [COLUMNS.join(',')];
      let pageToken;
      do {
        const page = await api('GET', '/audit', {
          query: { ...toQuery(filters), maxResults: 1000, pageToken },
          signal,
        });
        for (const e of page.items) {
          const row = { ...e, time: new Date(e.time).toISOString() };
          lines.push(COLUMNS.map((c) => csvCell(row[c])).join(','));
        }
        setProgress(lines.length - 1);
        pageToken = page.nextPageToken;
      } while (pageToken && lines.length <= EXPORT_LIMIT);
      return lines.join('\r\n') + '\r\n';
    });
    if (r.ok) downloadFile('lakeshare-audit.csv', r.value, 'text/csv');
  };
  const items = list.data ? list.data.items : [];
  return (
    <>
      <h1 tabIndex={-1}>Audit log</h1>
      <form class="card filters" onSubmit={apply} aria-label="Audit filters">
        <Field label="Who (actor)" value={draft.actor} onInput={set('actor')} />
        <Field label="Action" value={draft.action} onInput={set('action')} hint="e.g. createShare, queryTable, login" />
        <Field label="Object" value={draft.object} onInput={set('object')} hint="e.g. share:sales" />
        <Select label="Outcome" value={draft.outcome} onChange={set('outcome')} options={OUTCOMES} />
        <Field label="From" type="datetime-local" value={draft.from} onInput={set('from')} />
        <Field label="To" type="datetime-local" value={draft.to} onInput={set('to')} />
        <Select
          label="Entries per page"
          value={pageSize}
          onChange={setPageSize}
          options={[
            ['50', '50'],
            ['200', '200'],
            ['1000', '1000'],
          ]}
        />
        <div class="buttons">
          <button type="submit" class="primary">
            Apply filters
          </button>
          <button type="button" onClick={exportCsv} disabled={exporter.busy}>
            Export CSV
          </button>
        </div>
      </form>
      {exporter.busy && (
        <Progress label="Exporting" detail={`${progress} entries`} onCancel={exporter.cancel} />
      )}
      <ErrorAlert error={exporter.error} />
      <Loading state={list} />
      {list.data && items.length === 0 && <p class="muted">No entries match.</p>}
      {items.length > 0 && (
        <div class="scroll">
          <table class="data">
            <caption>Audit entries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Object</th>
                <th scope="col">Outcome</th>
                <th scope="col">Detail</th>
                <th scope="col">Files</th>
                <th scope="col">Address</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr class={`outcome-${e.outcome}`}>
                  <th scope="row">{fmtTime(e.time)}</th>
                  <td>
                    {e.actor || '—'} <span class="muted">({e.actorKind})</span>
                  </td>
                  <td>{e.action}</td>
                  <td>{e.object}</td>
                  <td>{e.outcome}</td>
                  <td>{e.detail}</td>
                  <td>{e.numFiles}</td>
                  <td>{e.remoteAddress}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.data && <Pager pager={pager} nextPageToken={list.data.nextPageToken} label="Audit" />}
    </>
  );
}
