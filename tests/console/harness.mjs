// Test harness of the console's browser tests: the real lakeshare binary on a
// real SQLite catalog (or a YAML file), Debian's Chromium driven by
// playwright-core, screenshots, and the checks every page must pass.
//
// Environment (set by the ctest entry, see CMakeLists.txt):
//   LAKESHARE_BIN          the lakeshare binary
//   LAKESHARE_TEST_NPM     the folder whose node_modules holds playwright-core
//   LAKESHARE_SCREENSHOTS  where screenshots go (default: a temporary folder)
//   CHROMIUM               the browser (default /usr/bin/chromium)
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
export const testData = join(repoRoot, 'tests', 'data');

function required(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (run the tests through ctest: ctest -R console)`);
  return v;
}

export const lakeshareBin = resolve(required('LAKESHARE_BIN'));
// Debian's python3 (with pytest, which catalog_db imports, and avro, which
// iceberg_meta does), as ctest's e2e entry uses.
export const python =
  process.env.LAKESHARE_PYTHON || (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const npmDir = resolve(required('LAKESHARE_TEST_NPM'));
const { chromium } = createRequire(join(npmDir, 'node_modules', 'noop.js'))('playwright-core');

export const ADMIN = { name: 'ops', password: 'ops-password-123' };
export const VIEWER = { name: 'watcher', password: 'watcher-password-1' };

export const screenshotDir =
  process.env.LAKESHARE_SCREENSHOTS || mkdtempSync(join(tmpdir(), 'lakeshare-console-shots-'));
mkdirSync(screenshotDir, { recursive: true });

export function tempDir(prefix = 'lakeshare-console-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

function yaml(obj, indent = '') {
  // The few shapes the tests' configs use: scalars, lists of scalars or maps.
  const lines = [];
  for (const [k, v] of Object.entries(obj)) {
    if (Array.isArray(v)) {
      lines.push(`${indent}${k}:`);
      for (const item of v) {
        if (typeof item === 'object') {
          const inner = yaml(item, `${indent}  `).split('\n');
          lines.push(`${indent}- ${inner[0].trimStart()}`, ...inner.slice(1));
        } else {
          lines.push(`${indent}- ${JSON.stringify(item)}`);
        }
      }
    } else if (v && typeof v === 'object') {
      lines.push(`${indent}${k}:`, yaml(v, `${indent}  `));
    } else {
      lines.push(`${indent}${k}: ${JSON.stringify(v)}`);
    }
  }
  return lines.join('\n');
}

// A copy of a test table (tests/data is never modified, and screenshots show
// a short temporary path).
export function copyTable(dir, source, name) {
  const target = join(dir, 'tables', name);
  cpSync(source, target, { recursive: true });
  return target;
}

export function writeConfig(dir, config, name = 'lakeshare.yaml') {
  const path = join(dir, name);
  writeFileSync(path, `${yaml(config)}\n`);
  return path;
}

export function runCli(args, input) {
  const r = spawnSync(lakeshareBin, args, { input, encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0) throw new Error(`lakeshare ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

// `lakeshare serve` on a config; resolves once it prints its listening line.
export class Server {
  constructor(configPath) {
    this.configPath = configPath;
    this.output = '';
  }

  start() {
    this.proc = spawn(lakeshareBin, ['serve', '--config', this.configPath, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line:\n${this.output}`)), 20000);
      const onData = (chunk) => {
        this.output += chunk.toString();
        const m = this.output.match(/listening on (https?:\/\/[^\s/]+)/);
        if (m && !this.baseUrl) {
          this.baseUrl = m[1];
          clearTimeout(timer);
          resolvePromise(this);
        }
      };
      this.proc.stdout.on('data', onData);
      this.proc.stderr.on('data', onData);
      this.proc.on('exit', (code) => {
        this.exitCode = code;
        clearTimeout(timer);
        if (!this.baseUrl) reject(new Error(`lakeshare exited (${code}):\n${this.output}`));
      });
    });
  }

  // SIGTERM; the server must exit 0 within 10 s.
  async stop() {
    if (!this.proc || this.exitCode !== undefined) return this.exitCode;
    const exited = new Promise((r) => this.proc.once('exit', (code) => r(code)));
    this.proc.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 10000))]);
    if (code === 'timeout') {
      this.proc.kill('SIGKILL');
      throw new Error('lakeshare did not stop within 10 s of SIGTERM');
    }
    if (code !== 0) throw new Error(`lakeshare exited with ${code}:\n${this.output.slice(-3000)}`);
    return code;
  }
}

// A server on a fresh SQLite catalog with an admin and a viewer user;
// `extra` adds config keys (e.g. storage).
export async function startDatabaseServer(extra = {}) {
  const dir = tempDir();
  const db = join(dir, 'catalog.db');
  const configPath = writeConfig(dir, {
    version: 1,
    host: '127.0.0.1',
    port: 0,
    endpoint: '/delta-sharing',
    catalogUrl: `sqlite:${db}`,
    ...extra,
  });
  runCli(['create-admin-user', '--config', configPath, '--name', ADMIN.name], `${ADMIN.password}\n`);
  runCli(
    ['create-admin-user', '--config', configPath, '--name', VIEWER.name, '--viewer'],
    `${VIEWER.password}\n`,
  );
  const server = await new Server(configPath).start();
  server.dir = dir;
  server.db = db;
  return server;
}

// A private PostgreSQL server with one empty database, started by the e2e
// tests' own helper (tests/e2e/catalog_db.py: initdb, pg_ctl-style start as
// the postgres user when root, 127.0.0.1 on a free port). Resolves to
// { url, stop() }; stop() shuts it down and removes its folder.
export function startPostgres() {
  const script = [
    'import sys',
    'sys.path.insert(0, sys.argv[1])',
    'import catalog_db',
    'cluster = catalog_db.PostgresCluster().start()',
    'try:',
    '    print(cluster.new_database()[1], flush=True)',
    '    sys.stdin.read()',
    'finally:',
    '    cluster.stop()',
  ].join('\n');
  const proc = spawn(python, ['-c', script, join(repoRoot, 'tests', 'e2e')], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr.on('data', (c) => (err += c.toString()));
  const exited = new Promise((r) => proc.once('exit', (code) => r(code)));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`PostgreSQL did not start:\n${err}`)), 90000);
    proc.stdout.on('data', (chunk) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line.startsWith('postgresql://')) {
        clearTimeout(timer);
        resolvePromise({
          url: line.trim(),
          stop: async () => {
            proc.stdin.end();
            await exited;
          },
        });
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL helper exited (${code}):\n${err}`));
    });
  });
}

// An S3-style endpoint that answers every request only after `delayMs` (a
// 404), deterministically slow: a table check against it takes that long.
// `seen` counts requests, `answered` the answers sent.
export function startSlowStore(delayMs) {
  const store = { seen: 0, answered: 0, sockets: new Set() };
  const srv = http.createServer((req, res) => {
    store.seen += 1;
    req.resume();
    const timer = setTimeout(() => {
      store.answered += 1;
      res.writeHead(404, { 'Content-Type': 'application/xml' });
      res.end('<?xml version="1.0"?><Error><Code>NoSuchBucket</Code></Error>');
    }, delayMs);
    res.on('close', () => clearTimeout(timer));
  });
  srv.on('connection', (s) => {
    store.sockets.add(s);
    s.on('close', () => store.sockets.delete(s));
  });
  store.close = () =>
    new Promise((r) => {
      for (const s of store.sockets) s.destroy();
      srv.close(() => r());
    });
  return new Promise((resolvePromise) => {
    srv.listen(0, '127.0.0.1', () => {
      store.url = `http://127.0.0.1:${srv.address().port}`;
      resolvePromise(store);
    });
  });
}

// Ends a user's sessions in the catalog database as the clock would: their
// expiry time moves into the past (Debian's python3 has sqlite3).
export function expireSessions(dbPath, user) {
  const script =
    'import sqlite3, sys\n' +
    'c = sqlite3.connect(sys.argv[1])\n' +
    'n = c.execute("UPDATE admin_sessions SET expires_ms = 1 WHERE user_id IN ' +
    '(SELECT id FROM admin_users WHERE name = ?)", (sys.argv[2],)).rowcount\n' +
    'c.commit()\n' +
    'print(n)\n';
  const r = spawnSync('python3', ['-c', script, dbPath, user], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout.trim());
}

export async function launchBrowser() {
  // playwright-core gives every launch a fresh temporary --user-data-dir.
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

// A fresh context and page that records what the console must never do:
// console errors (a Content-Security-Policy violation among them), failed
// page errors, and requests to anything but the server under test.
export async function newPage(browser, baseUrl) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => {
    // Failed API calls are logged by Chromium as resource errors: those are
    // expected (the tests provoke them) and shown by the page itself.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) {
      page.problems.push(`console: ${m.text()}`);
    }
  });
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(baseUrl) && !url.startsWith('blob:') && !url.startsWith('data:')) {
      page.problems.push(`request outside the server: ${url}`);
    }
  });
  page.setDefaultTimeout(15000);
  return { context, page };
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

// The accessibility rules of the console, checked on the page as it is:
// every visible input has a visible label, every button and link a name,
// every table header cells; and the page has one h1.
export async function accessibilityProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden' || !visible(el)) continue;
      const labels = Array.from(el.labels || []).filter((l) => visible(l) && l.textContent.trim());
      if (labels.length === 0) problems.push(`no visible label: ${el.outerHTML.slice(0, 120)}`);
    }
    for (const el of document.querySelectorAll('button, a[href]')) {
      if (!visible(el)) continue;
      const name = (el.getAttribute('aria-label') || el.textContent || '').trim();
      if (!name) problems.push(`no name: ${el.outerHTML.slice(0, 120)}`);
    }
    for (const t of document.querySelectorAll('table')) {
      if (!t.querySelector('thead th[scope="col"]')) problems.push('a table without header cells');
    }
    const h1 = document.querySelectorAll('h1');
    if (h1.length !== 1) problems.push(`${h1.length} h1 headings`);
    return problems;
  });
}

export async function readDownload(download) {
  const path = await download.path();
  return readFileSync(path, 'utf8');
}

export function cleanup(dir) {
  rmSync(dir, { recursive: true, force: true });
}
