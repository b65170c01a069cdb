// The overview: counts, tokens expiring within 7 days, the latest audit
// events, the server's version and catalog backend (GET /api/v1/overview).
import { api } from '../api.js';
import { Link, paths } from '../router.jsx';
import { Empty, Loading, fmtTime, useAsync } from '../ui.jsx';

const COUNTS = [
  ['shares', 'Shares', '/console/shares'],
  ['tables', 'Tables', '/console/shares'],
  ['recipients', 'Recipients', '/console/recipients'],
  ['activeTokens', 'Active tokens', '/console/recipients'],
];

export function OverviewPage() {
  const o = useAsync((signal) => api('GET', '/overview', { signal }), []);
  const d = o.data;
  return (
    <>
      <h1 tabIndex={-1}>Overview</h1>
      <Loading state={o} />
      {d && (
        <>
          <ul class="counts" aria-label="Catalog counts">
            {COUNTS.map(([k, label, href]) => (
              <li>
                <Link href={href}>
                  <span class="count">{d.counts[k]}</span> {label}
                </Link>
              </li>
            ))}
          </ul>
          <section aria-labelledby="expiring-title">
            <h2 id="expiring-title">Tokens expiring within 7 days</h2>
            {d.expiringTokens.length === 0 ? (
              <Empty>None.</Empty>
            ) : (
              <table class="data">
                <caption>Live tokens that expire soon</caption>
                <thead>
                  <tr>
                    <th scope="col">Recipient</th>
                    <th scope="col">Token</th>
                    <th scope="col">Expires</th>
                  </tr>
                </thead>
                <tbody>
                  {d.expiringTokens.map((t) => (
                    <tr>
                      <th scope="row">
                        <Link href={paths.recipient(t.recipient)}>{t.recipient}</Link>
                      </th>
                      <td>
                        <code>{t.id}</code>
                      </td>
                      <td>{fmtTime(t.expirationTime)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section aria-labelledby="recent-title">
            <h2 id="recent-title">Latest audit events</h2>
            <table class="data">
              <caption>
                The newest entries (<Link href="/console/audit">the whole log</Link>)
              </caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Object</th>
                  <th scope="col">Outcome</th>
                </tr>
              </thead>
              <tbody>
                {d.recentAudit.map((e) => (
                  <tr>
                    <th scope="row">{fmtTime(e.time)}</th>
                    <td>{e.actor || e.actorKind}</td>
                    <td>{e.action}</td>
                    <td>{e.object}</td>
                    <td>{e.outcome}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <p class="muted">
            lakeshare {d.server.version}, catalog in {d.server.catalogBackend}.
          </p>
        </>
      )}
    </>
  );
}
