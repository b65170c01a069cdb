// The web console in a real browser (Debian's Chromium, playwright-core)
// against the real lakeshare binary on a real SQLite catalog.
//
// The table page's preview is compared with an independent reading of the
// table (DuckDB over its parquet files, partition values from its log).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import {
  ADMIN,
  Server,
  VIEWER,
  accessibilityProblems,
  cleanup,
  copyTable,
  expireSessions,
  launchBrowser,
  newPage,
  python,
  readDownload,
  repoRoot,
  screenshot,
  startDatabaseServer,
  startPostgres,
  startSlowStore,
  tempDir,
  testData,
  writeConfig,
} from './harness.mjs';

const DELTA_SOURCE = join(testData, 'delta', 'delta-rs', 'delta-0.8.0-partitioned');
const ICEBERG_SOURCE = join(testData, 'iceberg', 'duckdb-iceberg', 'partition_integer');
// Impala's table whose data files lie in folders beside the table's, all
// recorded under RECORDED (tests/e2e/test_iceberg_locations.py).
const SPREAD_FOLDER = join(testData, 'iceberg', 'impala', 'iceberg_test', 'hadoop_catalog', 'ice');
const SPREAD_NAME = 'iceberg_multiple_storage_locations';
const SPREAD_RECORDED = '/test-warehouse/iceberg_test/hadoop_catalog/ice/';
const HUDI_MOR_ZIP = 'hudi-rs-quickstart/quickstart_trips_table/mor/avro/v8_trips_8i3u1d.zip';

let server;
let browser;
let deltaTable;
let icebergTable;
let slowStore;
const SLOW_STORE_MS = 8000;

// The server's storage entry for the slow store: s3://slow-bucket is read
// from it (the cancel step of the walk).
function slowStoreConfig() {
  return [
    {
      location: 's3://slow-bucket',
      region: 'us-east-1',
      endpoint: slowStore.url,
      pathStyle: true,
      accessKeyId: 'AKIDSLOWSTORE',
      secretAccessKey: 'slow-store-secret',
    },
  ];
}

async function login(page, user) {
  await page.goto(`${server.baseUrl}/console/`);
  await page.getByRole('heading', { name: 'Log in to lakeshare' }).waitFor();
  await page.getByLabel('User name').fill(user.name);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
}

async function heading(page, name) {
  await page.getByRole('heading', { name, level: 1, exact: true }).waitFor();
}

async function alertIn(scope) {
  const alert = scope.getByRole('alert').first();
  await alert.waitFor();
  return alert.textContent();
}

async function noProblems(page, where) {
  assert.deepEqual(await accessibilityProblems(page), [], `accessibility on ${where}`);
  assert.deepEqual(page.problems, [], `browser errors on ${where}`);
}

function form(page, name) {
  return page.getByRole('form', { name });
}

async function sharing(profile, path, init = {}) {
  return fetch(`${profile.endpoint}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${profile.bearerToken}`, ...(init.headers || {}) },
  });
}

const e2eDir = join(repoRoot, 'tests', 'e2e');

// Runs a Python snippet beside the e2e tests' independent readers; its
// stdout.
function e2ePython(code, ...args) {
  const py = spawnSync(python, ['-c', code, ...args], { cwd: e2eDir, encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  return py.stdout.trim();
}

// The rows of parquet files as DuckDB reads them (the e2e tests' reader,
// installed into the build folder as tests/e2e/checkpoint_log.py does): a
// Map from each file to its rows (objects by column name).
function parquetRows(files) {
  const build = resolve(dirname(process.env.LAKESHARE_BIN), '..', '..');
  const duck = e2ePython('import sys, checkpoint_log; print(checkpoint_log.duckdb_dir(sys.argv[1]))', build);
  const script = join(duck, 'read_parquet_records.mjs');
  writeFileSync(script, readFileSync(join(e2eDir, 'read_parquet_records.mjs')));
  const read = spawnSync('node', [script, JSON.stringify({ files })], { cwd: duck, encoding: 'utf8' });
  assert.equal(read.status, 0, read.stderr);
  const byFile = new Map(files.map((f) => [f, []]));
  for (const line of read.stdout.split('\n').filter(Boolean)) {
    const rec = JSON.parse(line);
    byFile.get(rec._file).push(rec.row);
  }
  return byFile;
}

// The rows a recipient reads of a one-commit Delta table without deletion
// vectors or column mapping, read without lakeshare: the adds of its log that
// `keep` admits (by partition values), each file's rows by DuckDB
// (parquetRows), partition values from the log. Rows as arrays of cell texts.
function independentRows(table, columns, keep) {
  const log = readFileSync(join(table, '_delta_log', '00000000000000000000.json'), 'utf8');
  const adds = log
    .split('\n')
    .filter((l) => l.startsWith('{"add"'))
    .map((l) => JSON.parse(l).add)
    .filter((a) => keep(a.partitionValues));
  const files = adds.map((a) => join(table, decodeURIComponent(a.path)));
  const byFile = parquetRows(files);
  return adds.flatMap((a, i) =>
    byFile.get(files[i]).map((row) =>
      columns.map((c) => {
        const v = c in a.partitionValues ? a.partitionValues[c] : row[c];
        return v === null || v === undefined ? 'null' : String(v);
      }),
    ),
  );
}

// Opens the preview of the table page shown and checks its rows against
// independentRows (order aside: files are read in the server's order).
async function checkPreview(page, table, keep) {
  const section = page.locator('section', { has: page.getByRole('heading', { name: 'Data preview' }) });
  await section.getByRole('button', { name: 'Show rows' }).click();
  const grid = section.getByRole('table', { name: /^Rows of / });
  await grid.waitFor();
  const headers = await grid.getByRole('columnheader').allTextContents();
  // Each header shows the column's name and its type.
  const columns = ['value', 'year', 'month', 'day'];
  assert.deepEqual(headers, columns.map((c) => `${c}string`));
  const shown = [];
  for (const row of await grid.locator('tbody tr').all()) shown.push(await row.getByRole('cell').allTextContents());
  const expected = independentRows(table, columns, keep);
  assert.ok(expected.length > 0);
  const sorted = (rows) => rows.map((r) => JSON.stringify(r)).sort();
  assert.deepEqual(sorted(shown), sorted(expected));
  await section.getByText(`${expected.length} row(s)`).waitFor();
}

async function apiLogin(user) {
  const r = await fetch(`${server.baseUrl}/api/v1/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user.name, password: user.password }),
  });
  assert.equal(r.status, 200);
  return (await r.json()).token;
}

// The provider's main walk (issue 17), on whichever catalog `server` runs:
// log in, share, schema, tables, recipient, profile, activation link used in
// a fresh context, revoke, 401; audit, users, log out.
async function providerWalk() {
  const { context, page } = await newPage(browser, server.baseUrl);
  await login(page, ADMIN);
  // Overview: GET /api/v1/overview (counts of an empty catalog).
  await page.getByRole('list', { name: 'Catalog counts' }).waitFor();
  await screenshot(page, 'overview');

  // A share.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Shares' }).click();
  await heading(page, 'Shares');
  await page.getByText('No shares yet.').waitFor();
  await noProblems(page, 'shares');
  const createShare = form(page, 'Create a share');
  await createShare.getByLabel('Share name').fill('sales');
  await createShare.getByLabel('Comment (optional)').fill('EU sales for partners');
  await createShare.getByRole('button', { name: 'Create share' }).click();
  await heading(page, 'Share sales');
  await noProblems(page, 'share');

  // A schema.
  const createSchema = form(page, 'Create a schema');
  await createSchema.getByLabel('Schema name').fill('default');
  await createSchema.getByRole('button', { name: 'Create schema' }).click();
  await heading(page, 'Schema sales.default');

  // A Delta table: the check (POST /api/v1/inspect-table) shows what the
  // server read where the user asked, then the table is added.
  const addTable = form(page, 'Add a table');
  await addTable.getByLabel('Table name').fill('orders');
  await addTable.getByLabel('Location').fill(deltaTable);
  await addTable.getByLabel('Share history (time travel, change data feed, streaming)').check();
  await addTable.getByLabel('Partition filter (optional)').fill('year = 2021');
  await addTable.getByRole('button', { name: 'Check table' }).click();
  const read = addTable.getByRole('region', { name: 'What the server read' });
  await read.waitFor();
  // An independent reading: the table's one commit and its adds.
  const log = readFileSync(join(deltaTable, '_delta_log', '00000000000000000000.json'), 'utf8');
  const adds = log.split('\n').filter((l) => l.startsWith('{"add"'));
  const kept = adds.filter((l) => l.includes('"year":"2021"'));
  const facts = await read.textContent();
  assert.match(facts, /Formatdelta/);
  assert.match(facts, /Latest version0/);
  assert.match(facts, /Partition columnsyear, month, day/);
  assert.match(facts, new RegExp(`Files${adds.length}`));
  assert.match(facts, new RegExp(`\\(${kept.length} files\\)`));
  await read.getByRole('table', { name: 'Columns' }).getByRole('rowheader', { name: 'value' }).waitFor();
  await screenshot(page, 'add-table');
  await addTable.getByRole('button', { name: 'Add table' }).click();
  await heading(page, 'Table sales.default.orders');
  await page.getByText('year = 2021').first().waitFor();
  // GET …/inspect (the schema) and …/history (one WRITE adding every file).
  await page.getByRole('table', { name: 'Columns' }).getByRole('rowheader', { name: 'year' }).waitFor();
  const history = page.getByRole('table', { name: 'Versions, newest first' });
  await history.waitFor();
  const versionRow = history.getByRole('row').nth(1);
  assert.deepEqual(
    (await versionRow.getByRole('cell').allTextContents()).filter((_, i) => i !== 0),
    ['WRITE', String(adds.length), '0'],
  );
  // The preview still needs its endpoint.
  await screenshot(page, 'table');
  // The preview: the rows a recipient reads (the partition filter holds).
  await checkPreview(page, deltaTable, (pv) => pv.year === '2021');
  await screenshot(page, 'table-preview');
  await noProblems(page, 'table');

  // An Iceberg table from the share page (schema named in the form).
  await page.getByRole('link', { name: 'sales', exact: true }).click();
  await heading(page, 'Share sales');
  const addOnShare = form(page, 'Add a table');
  await addOnShare.getByLabel('Schema').fill('default');
  await addOnShare.getByLabel('Table name').fill('events');
  await addOnShare.getByLabel('Location').fill(icebergTable);
  await addOnShare.getByLabel('Format').selectOption('iceberg');
  await addOnShare.getByRole('button', { name: 'Add table' }).click();
  await heading(page, 'Table sales.default.events');
  await page.getByRole('link', { name: 'default', exact: true }).click();
  await heading(page, 'Schema sales.default');
  await page.getByRole('link', { name: 'events' }).waitFor();
  await screenshot(page, 'schema');

  // A confirmation names what goes; Escape leaves it.
  await page.getByRole('button', { name: 'Delete schema' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete schema sales.default?' });
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /its tables events, orders|its tables orders, events/);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });

  // A location that does not exist: the check answers in role="alert".
  const addMissing = form(page, 'Add a table');
  await addMissing.getByLabel('Table name').fill('missing');
  await addMissing.getByLabel('Location').fill('/nonexistent/lakeshare/table');
  await addMissing.getByRole('button', { name: 'Check table' }).click();
  assert.match(await alertIn(addMissing), /no such file or folder \(HTTP 400/);
  // Adding it is refused the same way, where the user acted.
  await addMissing.getByRole('button', { name: 'Add table' }).click();
  assert.match(await alertIn(addMissing), /no such file or folder \(HTTP 400/);

  // A slow store (each request answered after 8 s): the check shows its
  // progress and is cancelled before the store answers; the form is
  // usable again at once.
  await addMissing.getByLabel('Location').fill('s3://slow-bucket/big_table');
  await addMissing.getByRole('button', { name: 'Check table' }).click();
  const progress = addMissing.getByRole('status').filter({ hasText: 'Reading the table' });
  await progress.waitFor();
  await progress.getByRole('progressbar', { name: 'Reading the table' }).waitFor();
  const t0 = Date.now();
  while (slowStore.seen === 0 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
  assert.ok(slowStore.seen > 0, 'the server is reading the slow store');
  assert.ok(await addMissing.getByRole('button', { name: 'Check table' }).isDisabled());
  await screenshot(page, 'add-table-progress');
  await progress.getByRole('button', { name: 'Cancel' }).click();
  await progress.waitFor({ state: 'detached' });
  assert.match(await alertIn(addMissing), /Cancelled/);
  assert.equal(slowStore.answered, 0, 'cancelled before the store answered');
  assert.ok(await addMissing.getByRole('button', { name: 'Check table' }).isEnabled());
  assert.equal(await addMissing.getByRole('region', { name: 'What the server read' }).count(), 0);
  // Usable again: a readable table is checked at once (the cancelled
  // check does not hold the form).
  await addMissing.getByLabel('Location').fill(deltaTable);
  await addMissing.getByRole('button', { name: 'Check table' }).click();
  await addMissing.getByRole('region', { name: 'What the server read' }).waitFor();

  // An API error where the user acted: the name exists already.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Shares' }).click();
  await heading(page, 'Shares');
  await page.getByRole('link', { name: 'sales' }).waitFor();
  const again = form(page, 'Create a share');
  await again.getByLabel('Share name').fill('sales');
  await again.getByRole('button', { name: 'Create share' }).click();
  assert.match(await alertIn(again), /exists/i);
  await screenshot(page, 'shares');

  // A recipient with a grant and a profile in one form.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Recipients' }).click();
  await heading(page, 'Recipients');
  const createRecipient = form(page, 'Create a recipient');
  await createRecipient.getByLabel('Recipient name').fill('partner');
  await createRecipient.getByLabel('Shares to grant').selectOption(['sales']);
  await createRecipient.getByLabel('Profile file now (download it here)').check();
  // One API call makes the recipient, its grant and its token (all or nothing).
  const writes = [];
  const countWrites = (req) => {
    if (req.method() !== 'GET' && req.url().includes('/api/v1/recipients')) writes.push(req);
  };
  page.on('request', countWrites);
  await createRecipient.getByRole('button', { name: 'Create recipient' }).click();
  const secret = page.getByRole('region', { name: 'Profile of partner' });
  await secret.waitFor();
  page.off('request', countWrites);
  assert.equal(writes.length, 1, writes.map((r) => r.url()).join(' '));
  assert.deepEqual(JSON.parse(writes[0].postData()).shares, ['sales']);
  await screenshot(page, 'recipient-profile-once');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    secret.getByRole('button', { name: 'Download config.share' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'config.share');
  const profile = JSON.parse(await readDownload(download));
  assert.equal(profile.shareCredentialsVersion, 1);
  assert.ok(profile.bearerToken.length > 20);

  // The profile works with plain HTTP, as a Delta Sharing client uses it.
  const shares = await sharing(profile, '/shares');
  assert.equal(shares.status, 200);
  assert.deepEqual((await shares.json()).items.map((s) => s.name), ['sales']);
  const query = await sharing(profile, '/shares/sales/schemas/default/tables/orders/query', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
  });
  assert.equal(query.status, 200);
  const files = (await query.text()).split('\n').filter((l) => l.includes('"file"'));
  assert.ok(files.length > 0);
  assert.ok(files.every((l) => l.includes('"year":"2021"')), 'the partition filter holds');

  // Shown once: gone after Done, and not on the recipient's page.
  await secret.getByRole('button', { name: 'Done' }).click();
  await secret.waitFor({ state: 'detached' });
  assert.ok(!(await page.content()).includes(profile.bearerToken));
  await page.getByRole('link', { name: 'partner' }).click();
  await heading(page, 'Recipient partner');
  await page.getByRole('link', { name: 'sales' }).waitFor();
  const tokens = page.locator('section', { has: page.getByRole('heading', { name: 'Tokens' }) });
  await tokens.getByRole('cell', { name: 'live' }).waitFor();
  assert.ok(!(await page.content()).includes(profile.bearerToken));

  // An activation link, opened in a fresh browser context.
  await page.getByRole('button', { name: 'Create activation link' }).click();
  const linkPanel = page.getByRole('region', { name: 'Activation link for partner' });
  const url = (await linkPanel.locator('pre').textContent()).trim();
  const linkSecret = url.slice(url.search(/[^/#]+$/));
  await linkPanel.getByRole('button', { name: 'Done' }).click();
  await linkPanel.waitFor({ state: 'detached' });
  assert.ok(!(await page.content()).includes(linkSecret));
  await screenshot(page, 'recipient');
  await noProblems(page, 'recipient');

  const fresh = await newPage(browser, server.baseUrl);
  await fresh.page.goto(`${server.baseUrl}/console/activate#${linkSecret}`);
  await heading(fresh.page, 'Your data share');
  // GET …/activate/{secret}/info: who the link is for, without redeeming it.
  await fresh.page.getByText(', you have been given read access to').waitFor();
  await screenshot(fresh.page, 'activate-open');
  const [linkDownload] = await Promise.all([
    fresh.page.waitForEvent('download'),
    fresh.page.getByRole('button', { name: 'Download credential file' }).click(),
  ]);
  assert.equal(linkDownload.suggestedFilename(), 'config.share');
  const linkProfile = JSON.parse(await readDownload(linkDownload));
  await fresh.page.getByRole('heading', { name: 'Use the credential file' }).waitFor();
  assert.ok(!fresh.page.url().includes(linkSecret), 'the used secret leaves the address bar');
  await screenshot(fresh.page, 'activate');
  await noProblems(fresh.page, 'activation page');
  await fresh.context.close();
  assert.equal((await sharing(linkProfile, '/shares')).status, 200);

  // Revoke both tokens in the console: the client gets 401.
  await page.reload();
  await heading(page, 'Recipient partner');
  const links = page.locator('section', { has: page.getByRole('heading', { name: 'Activation links' }) });
  await links.getByRole('cell', { name: /^used / }).waitFor();
  for (let i = 0; i < 2; i++) {
    await tokens.getByRole('button', { name: /^Revoke token / }).first().click();
    await tokens.getByRole('cell', { name: 'revoked' }).nth(i).waitFor();
  }
  assert.equal((await sharing(profile, '/shares')).status, 401);
  assert.equal((await sharing(linkProfile, '/shares')).status, 401);

  // The audit log: filtered, and exported as CSV.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
  await heading(page, 'Audit log');
  await page.getByLabel('Action').fill('revokeToken');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  // The unfiltered page (which has createShare) gives way to the filtered one.
  await page.getByRole('cell', { name: 'createShare' }).first().waitFor({ state: 'detached' });
  assert.equal(await page.getByRole('cell', { name: 'revokeToken' }).count(), 2);
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  const csvText = await readDownload(csv);
  assert.match(csvText, /^id,time,actorKind,actor,action,object,outcome/);
  assert.equal(csvText.trim().split('\r\n').length, 3); // header + two revocations
  await screenshot(page, 'audit');
  await noProblems(page, 'audit');

  // Users and roles.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await heading(page, 'Users');
  const createUser = form(page, 'Create a user');
  await createUser.getByLabel('User name').fill('auditor');
  await createUser.getByLabel('Password').fill('auditor-password-1');
  await createUser.getByRole('button', { name: 'Create user' }).click();
  await page.getByRole('rowheader', { name: 'auditor' }).waitFor();
  await screenshot(page, 'users');
  await noProblems(page, 'users');

  // Log out.
  await page.getByRole('button', { name: 'Log out' }).click();
  await heading(page, 'Log in to lakeshare');
  await page.getByText('You have logged out.').waitFor();
  await context.close();
}

// The data files of an Iceberg table's latest snapshot (one without
// deletes), found without lakeshare: the e2e tests' metadata reader
// (tests/e2e/iceberg_meta.py) with `mapping` applied by prefix.
function icebergFiles(location, mapping) {
  return JSON.parse(
    e2ePython(
      `import json, os, sys, iceberg_meta
mapping = json.loads(sys.argv[2])
class Mapped(iceberg_meta.IcebergTable):
    def _path(self, recorded):
        try:
            return super()._path(recorded)
        except ValueError:
            for src, dst in mapping.items():
                if recorded.startswith(src):
                    return os.path.join(dst, recorded[len(src):])
            raise
snap = Mapped(sys.argv[1]).snapshot()
assert not snap.delete_files and not snap.equality_deletes
print(json.dumps([e.path for e in snap.files]))`,
      location,
      JSON.stringify(mapping),
    ),
  );
}

// Those files' rows by DuckDB, as arrays of the `columns`' cell texts.
function filesRows(files, columns) {
  const byFile = parquetRows(files);
  return files.flatMap((f) => byFile.get(f).map((row) => columns.map((c) => String(row[c]))));
}

// A table's format settings (issue 16): an Iceberg table copied elsewhere is
// added with a location map and edited; a Hudi table's view. The API's
// refusals of a setting show beside it.
async function formatSettings() {
  const token = await apiLogin(ADMIN);
  const admin = async (method, path, body) => {
    const r = await fetch(`${server.baseUrl}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, body: r.status === 204 ? null : await r.json() };
  };
  assert.equal((await admin('POST', '/shares', { name: 'lake' })).status, 201);
  // The table and its data folders copied: the data is recorded elsewhere.
  const copy = join(server.dir, 'tables', 'spread');
  for (const name of readdirSync(SPREAD_FOLDER).filter((n) => n.startsWith(SPREAD_NAME))) {
    cpSync(join(SPREAD_FOLDER, name), join(copy, name), { recursive: true });
  }
  const location = join(copy, SPREAD_NAME);
  const copyPrefix = `${copy}/`;
  const other = ['hdfs://nn:8020/warehouse/', '/srv/unused/'];

  const { context, page } = await newPage(browser, server.baseUrl);
  await login(page, ADMIN);
  await page.goto(`${server.baseUrl}/console/shares/lake`);
  await heading(page, 'Share lake');
  const add = form(page, 'Add a table');
  await add.getByLabel('Schema').fill('ice');
  await add.getByLabel('Table name').fill('spread');
  await add.getByLabel('Location', { exact: true }).fill(location);
  assert.equal(await add.getByRole('group', { name: 'Location map (Iceberg)' }).count(), 0);
  await add.getByLabel('Format').selectOption('iceberg');
  const map = add.getByRole('group', { name: 'Location map (Iceberg)' });
  await map.waitFor();
  // Without a map the server cannot read the files recorded elsewhere: a
  // refusal of the table, at the form's foot.
  await add.getByRole('button', { name: 'Add table' }).click();
  assert.match(await alertIn(add), /lies outside the table location/);
  assert.equal(await map.getByRole('alert').count(), 0);
  // A relative real location: the API's refusal beside the map, only there.
  await map.getByRole('button', { name: 'Add a mapping' }).click();
  await map.getByLabel('Recorded prefix 1').fill(SPREAD_RECORDED);
  await map.getByLabel('Real location 1').fill('relative/copy');
  await add.getByRole('button', { name: 'Add table' }).click();
  assert.match(await alertIn(map), /locationMap: 'relative\/copy' is not an absolute path or a URI \(HTTP 400/);
  assert.equal(await add.getByRole('alert').count(), 1);
  // A prefix twice is refused by the form (a JSON object cannot carry it).
  await map.getByRole('button', { name: 'Add a mapping' }).click();
  await map.getByLabel('Recorded prefix 2').fill(SPREAD_RECORDED);
  await map.getByLabel('Real location 2').fill(other[1]);
  await add.getByRole('button', { name: 'Add table' }).click();
  assert.match(await alertIn(map), /names the prefix '.*' twice/);
  await map.getByLabel('Real location 1').fill(copyPrefix);
  await map.getByLabel('Recorded prefix 2').fill(other[0]);
  // The check reads through the map as the table would be served.
  const files = icebergFiles(location, { [SPREAD_RECORDED]: copyPrefix });
  assert.ok(files.length > 0 && files.every((f) => !f.startsWith(`${location}/`)), 'files beside the table');
  await add.getByRole('button', { name: 'Check table' }).click();
  const read = add.getByRole('region', { name: 'What the server read' });
  await read.waitFor();
  assert.match(await read.textContent(), new RegExp(`Formaticeberg.*Files${files.length}Total`));
  await screenshot(page, 'add-table-location-map');
  await noProblems(page, 'add table with a location map');
  await add.getByRole('button', { name: 'Add table' }).click();
  await heading(page, 'Table lake.ice.spread');

  // Shown in the API's order, as stored.
  const expected = [
    [SPREAD_RECORDED, copyPrefix],
    [other[0], other[1]],
  ];
  const shownMap = async () => {
    const t = page.getByRole('table', { name: 'Location map' });
    await t.waitFor();
    const rows = [];
    for (const row of await t.locator('tbody tr').all()) rows.push(await row.getByRole('cell').allTextContents());
    return rows;
  };
  assert.deepEqual(await shownMap(), expected);
  const base = '/shares/lake/schemas/ice/tables/spread';
  assert.deepEqual(Object.entries((await admin('GET', base)).body.locationMap), expected);
  // Read through the map: the preview's rows are those of the data files
  // in the folders beside the table (an independent reading).
  const section = page.locator('section', { has: page.getByRole('heading', { name: 'Data preview' }) });
  await section.getByRole('button', { name: 'Show rows' }).click();
  const grid = section.getByRole('table', { name: /^Rows of / });
  await grid.waitFor();
  // A header shows the column's name, then its type.
  const headers = await grid.getByRole('columnheader').evaluateAll((ths) => ths.map((th) => th.firstChild.textContent));
  const columns = ['col_int', 'col_bigint', 'col_string'];
  const at = columns.map((c) => headers.indexOf(c));
  assert.ok(at.every((i) => i >= 0), headers.join());
  const shown = [];
  for (const row of await grid.locator('tbody tr').all()) {
    const cells = await row.getByRole('cell').allTextContents();
    shown.push(at.map((i) => cells[i]));
  }
  const sorted = (rows) => rows.map((r) => JSON.stringify(r)).sort();
  const want = filesRows(files, columns);
  assert.ok(want.length > 0);
  assert.deepEqual(sorted(shown), sorted(want));
  await screenshot(page, 'table-location-map');
  await noProblems(page, 'table with a location map');

  // Edit: one mapping removed and saved.
  const edit = form(page, 'Edit the table');
  const editMap = edit.getByRole('group', { name: 'Location map (Iceberg)' });
  assert.equal(await editMap.getByLabel('Real location 2').inputValue(), other[1]);
  await editMap.getByRole('button', { name: 'Remove mapping 2' }).click();
  await edit.getByRole('button', { name: 'Save table' }).click();
  await page.getByRole('table', { name: 'Location map' }).locator('tbody tr').nth(1).waitFor({ state: 'detached' });
  assert.deepEqual(await shownMap(), expected.slice(0, 1));
  assert.deepEqual((await admin('GET', base)).body.locationMap, { [SPREAD_RECORDED]: copyPrefix });
  // A map on a Delta table: refused beside the map, nothing saved.
  const edit2 = form(page, 'Edit the table');
  await edit2.getByLabel('Format').selectOption('delta');
  const editMap2 = edit2.getByRole('group', { name: 'Location map (Iceberg)' });
  await edit2.getByRole('button', { name: 'Save table' }).click();
  assert.match(await alertIn(editMap2), /locationMap applies to iceberg tables only \(this is a delta table\)/);
  assert.equal(await edit2.getByRole('alert').count(), 1);
  // No map: the table cannot be read any more, so the server keeps the map.
  await edit2.getByLabel('Format').selectOption('iceberg');
  await editMap2.getByRole('button', { name: 'Remove mapping 1' }).click();
  await edit2.getByRole('button', { name: 'Save table' }).click();
  assert.match(await alertIn(edit2), /lies outside the table location/);
  assert.equal(await editMap2.getByRole('alert').count(), 0);
  const kept = (await admin('GET', base)).body;
  assert.equal(kept.format, 'iceberg');
  assert.deepEqual(kept.locationMap, { [SPREAD_RECORDED]: copyPrefix });

  // A Hudi merge-on-read table shared read-optimized, then as a snapshot.
  const hudi = e2ePython(
    'import sys, hudi_reader; print(hudi_reader.unzip_table(sys.argv[1], sys.argv[2]))',
    HUDI_MOR_ZIP,
    join(server.dir, 'tables', 'trips'),
  );
  await page.goto(`${server.baseUrl}/console/shares/lake/schemas/ice`);
  await heading(page, 'Schema lake.ice');
  const addHudi = form(page, 'Add a table');
  await addHudi.getByLabel('Table name').fill('trips');
  await addHudi.getByLabel('Location', { exact: true }).fill(hudi);
  assert.equal(await addHudi.getByRole('group', { name: 'Hudi view' }).count(), 0);
  await addHudi.getByLabel('Format').selectOption('hudi');
  await addHudi.getByRole('group', { name: 'Hudi view' }).getByLabel('Read-optimized (base files only)').check();
  await addHudi.getByRole('button', { name: 'Add table' }).click();
  await heading(page, 'Table lake.ice.trips');
  const fact = (text) => page.getByRole('definition').filter({ hasText: new RegExp(`^${text}$`) });
  await fact('Read-optimized \\(base files only\\)').waitFor();
  assert.equal((await admin('GET', '/shares/lake/schemas/ice/tables/trips')).body.hudiView, 'read_optimized');
  assert.equal(await page.getByRole('table', { name: 'Location map' }).count(), 0);
  await noProblems(page, 'hudi table');
  // Read-optimized is for Hudi tables only: refused beside the view.
  const editHudi = form(page, 'Edit the table');
  const view = editHudi.getByRole('group', { name: 'Hudi view' });
  assert.ok(await view.getByLabel('Read-optimized (base files only)').isChecked());
  await editHudi.getByLabel('Format').selectOption('delta');
  await editHudi.getByRole('button', { name: 'Save table' }).click();
  assert.match(await alertIn(view), /hudiView read_optimized applies to hudi tables only/);
  assert.equal(await editHudi.getByRole('alert').count(), 1);
  await editHudi.getByLabel('Format').selectOption('hudi');
  await view.getByLabel('Snapshot (log files merged)').check();
  await editHudi.getByRole('button', { name: 'Save table' }).click();
  await fact('Snapshot \\(log files merged\\)').waitFor();
  assert.equal((await admin('GET', '/shares/lake/schemas/ice/tables/trips')).body.hudiView, 'snapshot');
  await context.close();
}

// The secret columns of an Iceberg catalog connection in the SQLite catalog
// (stored as given: the server must send them), read by another process
// while the server runs, as a backup or the sqlite3 shell would.
function storedCatalogSecrets(name) {
  const script =
    'import json, sqlite3, sys\n' +
    'c = sqlite3.connect(sys.argv[1])\n' +
    'r = c.execute("SELECT client_secret, scope FROM iceberg_catalogs WHERE name = ?", ' +
    '(sys.argv[2],)).fetchone()\n' +
    'print(json.dumps(r))\n';
  const r = spawnSync(python, ['-c', script, server.db, name], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const row = JSON.parse(r.stdout);
  assert.ok(row, `no catalog ${name}`);
  return { clientSecret: row[0], scope: row[1] };
}

// Iceberg catalog connections (issue 16): listed, created, edited with the
// secrets write-only (an empty field leaves the secret out of the request,
// which the API keeps), deleted; the API's refusals in the form. The
// requests are checked as sent: the stored secrets are the API's business
// (the e2e tests), but the database is read too: a second process reading
// the SQLite file while the server runs must see what the server wrote
// (opening a pooled connection once cancelled the server's file locks, and
// that reader then deleted the live WAL).
async function icebergCatalogs() {
  const token = await apiLogin(ADMIN);
  const getCatalog = async (name) => {
    const r = await fetch(`${server.baseUrl}/api/v1/iceberg-catalogs/${name}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.equal(r.status, 200);
    return r.text();
  };
  const secrets = ['oauth-secret-one-1f8e', 'oauth-secret-two-77c2', 'aws-secret-key-09ab'];
  const uri = 'http://127.0.0.1:8181/api/catalog';
  const { context, page } = await newPage(browser, server.baseUrl);
  // The bodies of the console's writes to the connections.
  const sent = [];
  page.on('request', (req) => {
    if (req.method() !== 'GET' && req.url().includes('/api/v1/iceberg-catalogs')) {
      sent.push({ method: req.method(), body: req.postData() && JSON.parse(req.postData()) });
    }
  });
  await login(page, ADMIN);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Iceberg catalogs' }).click();
  await heading(page, 'Iceberg catalogs');
  await page.getByText('No catalog connections yet.').waitFor();
  const create = form(page, 'Add a catalog connection');
  await create.getByLabel('Catalog name').fill('polaris');
  await create.getByLabel('URI').fill(uri);
  await create.getByLabel('Login kind').selectOption('oauth2');
  assert.equal(await create.getByLabel('Scope').inputValue(), 'catalog');
  await create.getByLabel('Client id').fill('lakeshare-client');
  // No client secret: the API's refusal where the user acted.
  await create.getByRole('button', { name: 'Add catalog' }).click();
  assert.match(await alertIn(create), /authentication oauth2 needs .*\(HTTP 400/);
  await create.getByLabel('Client secret').fill(secrets[0]);
  await screenshot(page, 'iceberg-catalogs-add');
  await noProblems(page, 'iceberg catalogs');
  await create.getByRole('button', { name: 'Add catalog' }).click();
  await heading(page, 'Iceberg catalog polaris');
  const facts = page.locator('main > dl.facts');
  await facts.waitFor();
  const text = await facts.textContent();
  assert.match(text, /TypeIceberg REST catalog/);
  assert.match(text, new RegExp(`URI${uri}`));
  assert.match(text, /LoginOAuth2 client credentials/);
  assert.match(text, /Client idlakeshare-client/);
  assert.match(text, /Scopecatalog/);
  assert.match(text, /Client secretset/);
  // The secret went to the server once, and is shown nowhere: not on the
  // page, not in the API's answer.
  assert.deepEqual(sent.map((r) => r.method), ['POST', 'POST']);
  assert.deepEqual(sent[1].body, {
    type: 'rest',
    uri,
    auth: { kind: 'oauth2', clientId: 'lakeshare-client', scope: 'catalog', tokenEndpoint: '', clientSecret: secrets[0] },
    name: 'polaris',
  });
  assert.ok(!(await page.content()).includes(secrets[0]));
  assert.equal(storedCatalogSecrets('polaris').clientSecret, secrets[0]);
  const answer = await getCatalog('polaris');
  assert.ok(!answer.includes(secrets[0]));
  assert.equal(JSON.parse(answer).auth.clientSecretSet, true);

  // Edit with the secret left empty: kept; the scope changes.
  const edit = form(page, 'Edit the connection');
  const secretField = edit.getByLabel('Client secret (set)');
  assert.equal(await secretField.inputValue(), '');
  await edit.getByLabel('Scope').fill('catalog sql');
  await edit.getByRole('button', { name: 'Save catalog' }).click();
  await page.locator('main > dl.facts').getByText('catalog sql').waitFor();
  const patch = sent[sent.length - 1];
  assert.equal(patch.method, 'PATCH');
  assert.equal(patch.body.auth.scope, 'catalog sql');
  assert.ok(!('clientSecret' in patch.body.auth), 'an empty secret field is left out');
  let saved = JSON.parse(await getCatalog('polaris'));
  assert.equal(saved.auth.scope, 'catalog sql');
  assert.equal(saved.auth.clientSecretSet, true);
  assert.deepEqual(storedCatalogSecrets('polaris'), { clientSecret: secrets[0], scope: 'catalog sql' });
  // A new secret replaces it.
  await form(page, 'Edit the connection').getByLabel('Client secret (set)').fill(secrets[1]);
  await form(page, 'Edit the connection').getByRole('button', { name: 'Save catalog' }).click();
  const t0 = Date.now();
  while (JSON.parse(await getCatalog('polaris')).version !== saved.version + 1 && Date.now() - t0 < 10000) {
    await new Promise((r) => setTimeout(r, 100));
  }
  saved = JSON.parse(await getCatalog('polaris'));
  assert.equal(saved.version, 3);
  assert.equal(sent[sent.length - 1].body.auth.clientSecret, secrets[1]);
  assert.equal(storedCatalogSecrets('polaris').clientSecret, secrets[1]);
  await form(page, 'Edit the connection').getByLabel('Client secret (set)').waitFor();
  assert.equal(await form(page, 'Edit the connection').getByLabel('Client secret (set)').inputValue(), '');
  assert.ok(!(await page.content()).includes(secrets[1]));
  await screenshot(page, 'iceberg-catalog');
  await noProblems(page, 'iceberg catalog');

  // Back to the list: a second REST catalog at the same uri is refused
  // (409), a Glue catalog with SigV4 is added.
  await page.getByRole('link', { name: 'Iceberg catalogs' }).first().click();
  await heading(page, 'Iceberg catalogs');
  const again = form(page, 'Add a catalog connection');
  await again.getByLabel('Catalog name').fill('polaris_too');
  await again.getByLabel('URI').fill(uri);
  await again.getByRole('button', { name: 'Add catalog' }).click();
  assert.match(await alertIn(again), /has the uri .*\(HTTP 409/);
  await again.getByLabel('Catalog name').fill('glue_prod');
  await again.getByLabel('Type').selectOption('glue');
  await again.getByLabel('URI').fill('');
  assert.deepEqual(
    await again.getByLabel('Login kind').locator('option').allTextContents(),
    ['AWS SigV4'],
  );
  await again.getByLabel('Signing name').fill('glue');
  await again.getByLabel('Region').fill('eu-west-1');
  await again.getByLabel('Access key id').fill('AKIDCONSOLETEST');
  await again.getByLabel('Secret access key').fill(secrets[2]);
  await again.getByRole('button', { name: 'Add catalog' }).click();
  await heading(page, 'Iceberg catalog glue_prod');
  const glueFacts = await page.locator('main > dl.facts').textContent();
  assert.match(glueFacts, /TypeAWS Glue/);
  assert.match(glueFacts, /Secret access keyset/);
  assert.match(glueFacts, /Session token \(temporary keys only\)not set/);
  assert.equal(sent[sent.length - 1].body.auth.secretAccessKey, secrets[2]);
  assert.ok(!(await getCatalog('glue_prod')).includes(secrets[2]));
  await page.getByRole('link', { name: 'Iceberg catalogs' }).first().click();
  const list = page.getByRole('table', { name: 'Iceberg catalog connections' });
  await list.getByRole('rowheader', { name: 'glue_prod' }).waitFor();
  const rows = [];
  for (const row of await list.locator('tbody tr').all()) {
    rows.push([await row.getByRole('rowheader').textContent(), ...(await row.getByRole('cell').allTextContents()).slice(0, 3)]);
  }
  assert.deepEqual(rows, [
    ['glue_prod', 'AWS Glue', JSON.parse(await getCatalog('glue_prod')).uri || '—', 'AWS SigV4'],
    ['polaris', 'Iceberg REST catalog', uri, 'OAuth2 client credentials'],
  ]);
  for (const s of secrets) assert.ok(!(await page.content()).includes(s));
  await screenshot(page, 'iceberg-catalogs');

  // Delete, after a confirmation naming it.
  await list.getByRole('link', { name: 'polaris' }).click();
  await heading(page, 'Iceberg catalog polaris');
  await page.getByRole('button', { name: 'Delete catalog' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete Iceberg catalog polaris?' });
  await dialog.getByRole('button', { name: 'Delete polaris' }).click();
  await heading(page, 'Iceberg catalogs');
  await page.getByRole('rowheader', { name: 'glue_prod' }).waitFor();
  assert.equal(await page.getByRole('rowheader', { name: 'polaris' }).count(), 0);
  const gone = await fetch(`${server.baseUrl}/api/v1/iceberg-catalogs/polaris`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  assert.equal(gone.status, 404);
  await context.close();
}

// The walk's world: the slow store, a database-catalog server (`extra`
// config: e.g. its catalogUrl), copies of the two tables, the browser.
async function startWalk(extra = {}) {
  slowStore = await startSlowStore(SLOW_STORE_MS);
  server = await startDatabaseServer({ ...extra, storage: slowStoreConfig() });
  deltaTable = copyTable(server.dir, DELTA_SOURCE, 'orders');
  icebergTable = copyTable(server.dir, ICEBERG_SOURCE, 'events');
  browser = await launchBrowser();
}

// Tears the walk's world down, every part even when one fails (a part left
// running would keep node alive until ctest's timeout). The slow store goes
// first: the server may still be reading it for the cancelled check, and
// without the store that read ends at once instead of holding the drain.
async function stopWalk(...more) {
  const steps = [
    async () => {
      if (slowStore) await slowStore.close();
      slowStore = null;
    },
    async () => {
      if (browser) await browser.close();
      browser = null;
    },
    async () => {
      if (!server) return;
      const running = server;
      server = null;
      try {
        await running.stop();
      } finally {
        cleanup(running.dir);
      }
    },
    ...more,
  ];
  let first;
  for (const step of steps) {
    try {
      await step();
    } catch (e) {
      first ??= e;
    }
  }
  if (first) throw first;
}

describe('console on a SQLite catalog', () => {
  before(() => startWalk());
  after(() => stopWalk());

  test('serves its files with strict headers', async () => {
    const index = await fetch(`${server.baseUrl}/console/`, { headers: { 'Accept-Encoding': 'br' } });
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    assert.match(index.headers.get('content-security-policy'), /script-src 'self';/);
    assert.doesNotMatch(index.headers.get('content-security-policy'), /unsafe-inline/);
    const html = await index.text(); // fetch decodes Brotli
    assert.doesNotMatch(html, /<script>|<style|\sstyle=|\son[a-z]+=/i);
    const script = html.match(/src="(\/console\/assets\/app-[A-Z0-9]+\.js)"/)[1];
    const js = await fetch(`${server.baseUrl}${script}`, { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(js.headers.get('content-encoding'), 'gzip');
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const again = await fetch(`${server.baseUrl}${script}`, {
      headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': js.headers.get('etag') },
    });
    assert.equal(again.status, 304);
    assert.equal((await fetch(`${server.baseUrl}/console/assets/app-GONE.js`)).status, 404);
    assert.equal((await fetch(`${server.baseUrl}/console/shares/deep/link`)).status, 200);
    const info = await (await fetch(`${server.baseUrl}/console/server.json`)).json();
    assert.deepEqual(info, { catalog: 'sqlite', editable: true, sharingEndpoint: '/delta-sharing' });
  });

  test('the keyboard alone logs in', async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    await page.goto(`${server.baseUrl}/console/`);
    await heading(page, 'Log in to lakeshare');
    await page.keyboard.press('Tab');
    await page.keyboard.type(ADMIN.name);
    await page.keyboard.press('Tab');
    await page.keyboard.type(ADMIN.password);
    await page.keyboard.press('Enter');
    await heading(page, 'Overview');
    await context.close();
  });

  test('a wrong password is refused in role="alert"', async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    await page.goto(`${server.baseUrl}/console/`);
    await page.getByLabel('User name').fill(ADMIN.name);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    assert.match(await alertIn(page), /invalid username or password \(HTTP 401/);
    await screenshot(page, 'login-error');
    await noProblems(page, 'login');
    await context.close();
  });

  test('the provider walk: share, schema, tables, recipient, token, link, revoke', providerWalk);

  test('format settings: an Iceberg location map and a Hudi view, shown and edited', formatSettings);

  test('Iceberg catalog connections: listed, created, edited with write-only secrets, deleted', icebergCatalogs);

  test('a viewer sees everything read-only, and the server refuses its writes', async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    await login(page, VIEWER);
    await page.getByText('everything is read-only').waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    assert.equal(await nav.getByRole('link', { name: 'Users' }).count(), 0);
    const writes = /^(Create|Delete|Save|Revoke|Add|Rotate|Rename|Remove|Grant)/;
    const pages = [
      ['/console/shares', 'Shares'],
      ['/console/shares/sales', 'Share sales'],
      ['/console/shares/sales/schemas/default', 'Schema sales.default'],
      ['/console/shares/sales/schemas/default/tables/orders', 'Table sales.default.orders'],
      ['/console/recipients', 'Recipients'],
      ['/console/recipients/partner', 'Recipient partner'],
      ['/console/iceberg-catalogs', 'Iceberg catalogs'],
      ['/console/iceberg-catalogs/glue_prod', 'Iceberg catalog glue_prod'],
    ];
    for (const [path, title] of pages) {
      await page.goto(`${server.baseUrl}${path}`);
      await heading(page, title);
      await page.waitForLoadState('networkidle');
      assert.equal(await page.getByRole('button', { name: writes }).count(), 0, `write controls on ${path}`);
      assert.equal(await page.locator('form').count() - (path.endsWith('orders') ? 1 : 0), 0, `forms on ${path}`);
      await noProblems(page, `viewer ${path}`);
    }
    await screenshot(page, 'viewer-recipient');
    const token = await apiLogin(VIEWER);
    const refused = await fetch(`${server.baseUrl}/api/v1/shares`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'viewer_share' }),
    });
    assert.equal(refused.status, 403);
    await context.close();
  });

  test('another origin, even another port of this host, changes nothing (CSRF)', async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    await login(page, ADMIN);
    // A page of another origin: the same host on another port.
    const api = `${server.baseUrl}/api/v1/shares`;
    const evil = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(
        `<form method="post" action="${api}" enctype="text/plain">` +
          `<input name='{"name":"csrf_form","x":"' value='"}'><button>Send</button></form>`,
      );
    });
    await new Promise((r) => evil.listen(0, '127.0.0.1', r));
    try {
      const other = await context.newPage();
      const evilUrl = `http://127.0.0.1:${evil.address().port}/`;
      await other.goto(evilUrl);
      const posted = other.waitForResponse((r) => r.url() === api);
      await other.getByRole('button', { name: 'Send' }).click();
      assert.ok([401, 403].includes((await posted).status()));
      // A script there gets no answer to read, and its request changes nothing.
      await other.goto(evilUrl);
      const fetched = await other.evaluate(async (url) => {
        try {
          const r = await fetch(url, {
            method: 'POST',
            credentials: 'include',
            mode: 'no-cors',
            headers: { 'Content-Type': 'text/plain' },
            body: '{"name":"csrf_fetch"}',
          });
          return r.type;
        } catch (e) {
          return e.name;
        }
      }, api);
      assert.ok(['opaque', 'TypeError'].includes(fetched));
    } finally {
      evil.close();
    }
    const token = await apiLogin(ADMIN);
    const names = (
      await (await fetch(api, { headers: { Authorization: `Bearer ${token}` } })).json()
    ).items.map((x) => x.name);
    assert.ok(!names.includes('csrf_form') && !names.includes('csrf_fetch'), names.join());
    await context.close();
  });

  test('an expired session returns to the login page with a message', async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    await login(page, ADMIN);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Shares' }).click();
    await heading(page, 'Shares');
    assert.ok(expireSessions(server.db, ADMIN.name) >= 1);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Recipients' }).click();
    await heading(page, 'Log in to lakeshare');
    await page.getByText('Your session has expired').waitFor();
    await screenshot(page, 'session-expired');
    // Logging in again goes back where the user was.
    await page.getByLabel('User name').fill(ADMIN.name);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await heading(page, 'Recipients');
    await context.close();
  });
});

// The main walk once more with the catalog in PostgreSQL.
describe('console on a PostgreSQL catalog', () => {
  let postgres;
  before(async () => {
    postgres = await startPostgres();
    await startWalk({ catalogUrl: postgres.url });
  });
  after(async () => {
    await stopWalk(async () => {
      if (postgres) await postgres.stop();
      postgres = null;
    });
  });

  test('the provider walk on PostgreSQL', providerWalk);
});

describe('console on a YAML catalog', () => {
  let yamlServer;
  let dir;
  before(async () => {
    dir = tempDir();
    const orders = copyTable(dir, DELTA_SOURCE, 'orders');
    const config = writeConfig(dir, {
      version: 1,
      host: '127.0.0.1',
      port: 0,
      endpoint: '/delta-sharing',
      authorization: { bearerToken: 'yaml-admin-token' },
      shares: [
        {
          name: 'demo',
          schemas: [{ name: 'default', tables: [{ name: 'orders', location: orders }] }],
        },
      ],
    });
    yamlServer = await new Server(config).start();
    browser = await launchBrowser();
  });
  after(async () => {
    if (browser) await browser.close();
    browser = null;
    if (yamlServer) await yamlServer.stop();
    cleanup(dir);
  });

  test('shows the catalog read-only and says why', async () => {
    const { context, page } = await newPage(browser, yamlServer.baseUrl);
    await page.goto(`${yamlServer.baseUrl}/console/`);
    await heading(page, 'lakeshare catalog (read-only)');
    await page.getByText('cannot be edited here').waitFor();
    await page.getByLabel('Bearer token').fill('wrong-token');
    await page.getByRole('button', { name: 'Show catalog' }).click();
    assert.match(await alertIn(page), /HTTP 401/);
    await page.getByLabel('Bearer token').fill('yaml-admin-token');
    await page.getByRole('button', { name: 'Show catalog' }).click();
    await page.getByRole('button', { name: 'Show columns of orders' }).click();
    const columns = page.getByRole('table', { name: 'Columns of demo.default.orders' });
    await columns.waitFor();
    await columns.getByRole('rowheader', { name: 'value' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /^(Create|Delete|Save)/ }).count(), 0);
    await screenshot(page, 'yaml-read-only');
    await noProblems(page, 'yaml console');
    await context.close();
  });
});
