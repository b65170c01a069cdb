// The public activation page a recipient opens (/console/activate#<secret>).
// The secret sits in the fragment, which browsers never send to a server, so
// mail scanners and link previews that fetch the address learn and use
// nothing; opening the page only reads what the link grants (a GET that never
// redeems). The download button POSTs, which redeems the link once and saves
// config.share; the page then shows how to use it.
import { useEffect, useState } from 'preact/hooks';

import { api, enc } from '../api.js';
import { ErrorAlert, downloadFile, fmtTime, useAction, useAsync } from '../ui.jsx';

function secretFromAddress() {
  const h = location.hash.replace(/^#/, '');
  if (h) return decodeURIComponent(h);
  const m = location.pathname.match(/^\/console\/activate\/([^/]+)$/);
  return m ? decodeURIComponent(m[1]) : '';
}

function Usage({ name }) {
  return (
    <section aria-labelledby="usage-title">
      <h2 id="usage-title">Use the credential file</h2>
      <p>
        <code>{name}</code> is saved in your downloads. Keep it private: anyone holding it can read
        the shared data.
      </p>
      <h3>pandas (Python)</h3>
      <pre>{`pip install delta-sharing
import delta_sharing
client = delta_sharing.SharingClient("config.share")
print(client.list_all_tables())
df = delta_sharing.load_as_pandas("config.share#<share>.<schema>.<table>")`}</pre>
      <h3>Apache Spark</h3>
      <pre>{`spark-shell --packages io.delta:delta-sharing-spark_2.12:3.1.0
spark.read.format("deltaSharing").load("config.share#<share>.<schema>.<table>")`}</pre>
      <h3>Power BI</h3>
      <p>
        Get data → Delta Sharing; enter the <code>endpoint</code> and <code>bearerToken</code>{' '}
        from the file.
      </p>
    </section>
  );
}

export function ActivatePage() {
  const [secret] = useState(secretFromAddress);
  const [done, setDone] = useState(false);
  const info = useAsync(
    (signal) =>
      secret ? api('GET', `/activate/${enc(secret)}/info`, { signal }) : Promise.resolve(null),
    [secret],
  );
  const action = useAction();
  useEffect(() => {
    document.title = 'Activate your data share · lakeshare';
  }, []);
  const download = async () => {
    const r = await action.run((signal) => api('POST', `/activate/${enc(secret)}`, { signal }));
    if (r.ok) {
      downloadFile('config.share', JSON.stringify(r.value, null, 2));
      // The link is used up: drop its secret from the address bar and history.
      history.replaceState(null, '', '/console/activate');
      setDone(true);
    }
  };
  const d = info.data;
  return (
    <main id="main" class="activate">
      <p class="brandline">lakeshare</p>
      <h1 tabIndex={-1}>Your data share</h1>
      {!secret && (
        <div role="alert" class="alert">
          This address has no activation code: open the whole link you were sent.
        </div>
      )}
      {secret && !done && (
        <>
          <ErrorAlert error={info.error} />
          {d && (
            <>
              <p>
                <strong>{d.recipient}</strong>, you have been given read access to:
              </p>
              <ul>
                {d.shares.map((s) => (
                  <li>
                    share <strong>{s.name}</strong>
                    {s.tables && s.tables.length > 0 && `: ${s.tables.join(', ')}`}
                  </li>
                ))}
              </ul>
              <p class="muted">
                This link works once{d.expiresAt ? ` and expires ${fmtTime(d.expiresAt)}` : ''}.
                {d.tokenExpirationTime
                  ? ` The credential is valid until ${fmtTime(d.tokenExpirationTime)}.`
                  : ''}
              </p>
            </>
          )}
          <p>Download the credential file to read the data with pandas, Spark, Power BI or any Delta Sharing client.</p>
          <button type="button" class="primary" onClick={download} disabled={action.busy}>
            Download credential file
          </button>
          <ErrorAlert error={action.error} />
        </>
      )}
      {done && <Usage name="config.share" />}
    </main>
  );
}
