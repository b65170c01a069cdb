"""Helpers to run a lakeshare server for the end-to-end tests.

- ``to_yaml``: a tiny block-style YAML writer (the config is plain data).
- ``ServerProcess``: starts ``lakeshare serve --config FILE --port 0``, waits
  for the ``listening on http://HOST:PORT/<endpoint>`` line, and stops the
  server with SIGTERM, checking that it exits with code 0.
- paths to the test data in tests/data, computed from this file's location.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
TESTDATA = os.path.join(REPO_ROOT, "tests", "data")
DELTA_ROOT = os.path.join(TESTDATA, "delta", "delta-rs")
DEFAULT_BIN = os.path.join(REPO_ROOT, "build", "src", "cli", "lakeshare")

LISTENING_RE = re.compile(r"listening on (https?://[^\s/]+)(/\S*)?")
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0

ADMIN_TOKEN = "tok-admin"


# ---------------------------------------------------------------------------
# YAML
# ---------------------------------------------------------------------------

def _scalar(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, float)):
        return repr(v)
    # JSON string escapes are valid YAML double-quoted escapes.
    return json.dumps(str(v))


def to_yaml(obj, indent=0):
    pad = " " * indent
    lines = []
    if isinstance(obj, dict):
        if not obj:
            return pad + "{}\n"
        for k, v in obj.items():
            if isinstance(v, (dict, list)) and v:
                lines.append("%s%s:\n%s" % (pad, k, to_yaml(v, indent + 2)))
            elif isinstance(v, list):
                lines.append("%s%s: []\n" % (pad, k))
            elif isinstance(v, dict):
                lines.append("%s%s: {}\n" % (pad, k))
            else:
                lines.append("%s%s: %s\n" % (pad, k, _scalar(v)))
    elif isinstance(obj, list):
        for item in obj:
            if isinstance(item, (dict, list)) and item:
                body = to_yaml(item, indent + 2)
                # put the first line after the dash
                lines.append("%s- %s" % (pad, body[indent + 2:]))
            else:
                lines.append("%s- %s\n" % (pad, _scalar(item) if not isinstance(item, (dict, list))
                                           else ("{}" if isinstance(item, dict) else "[]")))
    else:
        lines.append(pad + _scalar(obj) + "\n")
    return "".join(lines)


# ---------------------------------------------------------------------------
# Server process
# ---------------------------------------------------------------------------

class ServerStartError(AssertionError):
    pass


class ServerProcess:
    def __init__(self, binary, config, workdir, name="server", extra_args=None, cwd=None, env=None,
                 port=0):
        self.binary = binary
        self.port = port  # 0: any free port
        self.env = env  # the process's whole environment (default: this one's)
        self.config = config
        self.workdir = workdir
        self.name = name
        self.extra_args = list(extra_args or [])
        self.cwd = cwd or workdir
        os.makedirs(workdir, exist_ok=True)
        self.config_path = os.path.join(workdir, "%s.yaml" % name)
        self.stderr_path = os.path.join(workdir, "%s.stderr.log" % name)
        self.stdout_lines = []
        self.proc = None
        self.base_url = None      # http://127.0.0.1:PORT
        self.endpoint_url = None  # http://127.0.0.1:PORT/delta-sharing
        self._ready = threading.Event()
        self._reader = None

    # -- logs --------------------------------------------------------------
    def stderr_text(self, limit=6000):
        try:
            with open(self.stderr_path, "r", errors="replace") as f:
                data = f.read()
        except OSError:
            return ""
        return data[-limit:]

    def diagnostics(self):
        rc = self.proc.poll() if self.proc else None
        return ("[%s] exit code: %r\n--- stdout ---\n%s\n--- stderr (tail) ---\n%s"
                % (self.name, rc, "".join(self.stdout_lines)[-3000:], self.stderr_text()))

    # -- lifecycle ---------------------------------------------------------
    def write_config(self):
        text = self.config if isinstance(self.config, str) else to_yaml(self.config)
        with open(self.config_path, "w") as f:
            f.write(text)

    def spawn(self):
        self.write_config()
        args = [self.binary, "serve", "--config", self.config_path, "--port", str(self.port)] + self.extra_args
        self._stderr_file = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._stderr_file,
                                     stdin=subprocess.DEVNULL, cwd=self.cwd, env=self.env)
        self._reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._reader.start()

    def _read_stdout(self):
        for raw in iter(self.proc.stdout.readline, b""):
            line = raw.decode("utf-8", "replace")
            self.stdout_lines.append(line)
            m = LISTENING_RE.search(line)
            if m and not self._ready.is_set():
                self.base_url = m.group(1)
                self.endpoint_url = (m.group(1) + (m.group(2) or "")).rstrip("/")
                self._ready.set()
        self._ready.set()  # EOF: wake up the waiter

    def start(self, timeout=START_TIMEOUT):
        self.spawn()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._ready.wait(0.05):
                break
            if self.proc.poll() is not None:
                self._reader.join(1)
                break
        if self.endpoint_url is None:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            raise ServerStartError("lakeshare did not print its listening line within %.0f s\n%s"
                                   % (timeout, self.diagnostics()))
        return self

    def run_expecting_failure(self, timeout=START_TIMEOUT):
        """Start a server that must refuse to start. Returns (exit code, output)."""
        self.spawn()
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("server was expected to refuse its config, but it kept running\n"
                                 + self.diagnostics())
        self._reader.join(2)
        return rc, "".join(self.stdout_lines) + self.stderr_text()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM; returns (exit code, seconds taken). Kills after timeout."""
        if self.proc is None:
            return None, 0.0
        if self.proc.poll() is not None:
            return self.proc.returncode, 0.0
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            rc = None
        took = time.monotonic() - t0
        if self._reader:
            self._reader.join(2)
        try:
            self._stderr_file.close()
        except Exception:
            pass
        return rc, took

    def stop_and_check(self, timeout=STOP_TIMEOUT):
        was_alive = self.alive()
        rc, took = self.stop(timeout)
        if not was_alive:
            raise AssertionError("server died before shutdown\n" + self.diagnostics())
        if rc is None:
            raise AssertionError("server did not exit within %.0f s of SIGTERM (killed)\n%s"
                                 % (timeout, self.diagnostics()))
        if rc != 0:
            raise AssertionError("server exited with code %r after SIGTERM\n%s" % (rc, self.diagnostics()))
        return took


# ---------------------------------------------------------------------------
# Test tables
# ---------------------------------------------------------------------------

def sanitize_name(name):
    return re.sub(r"[^a-z0-9_]", "_", name.lower())


def copy_table(src_name, dest_root, dest_name=None):
    """Copies a test table into dest_root (tests never modify the originals)."""
    src = os.path.join(DELTA_ROOT, src_name)
    dst = os.path.join(dest_root, dest_name or src_name)
    shutil.copytree(src, dst)
    return dst


def set_in_commit_timestamps(table_dir, first_epoch_ms, step_ms):
    """Rewrites commitInfo.inCommitTimestamp of commit N to first + N*step (ms)."""
    log = os.path.join(table_dir, "_delta_log")
    for f in os.listdir(log):
        m = re.match(r"^(\d{20})\.json$", f)
        if not m:
            continue
        p = os.path.join(log, f)
        with open(p) as fh:
            lines = fh.read().splitlines()
        out = []
        for line in lines:
            if line.strip():
                a = json.loads(line)
                if "commitInfo" in a and "inCommitTimestamp" in a["commitInfo"]:
                    a["commitInfo"]["inCommitTimestamp"] = first_epoch_ms + int(m.group(1)) * step_ms
                    line = json.dumps(a)
            out.append(line)
        with open(p, "w") as fh:
            fh.write("\n".join(out) + "\n")


def set_commit_mtimes(table_dir, first_epoch_s, step_s):
    """Gives commit N the modification time first + N*step (seconds)."""
    log = os.path.join(table_dir, "_delta_log")
    for f in os.listdir(log):
        m = re.match(r"^(\d{20})\.json$", f)
        if m:
            t = first_epoch_s + int(m.group(1)) * step_s
            os.utime(os.path.join(log, f), (t, t))


def make_writable(path):
    """Gives the owner write access to a copied table (the shared test data
    is read-only, and copytree keeps the modes)."""
    for root, dirs, files in os.walk(path):
        os.chmod(root, os.stat(root).st_mode | 0o200)
        for f in files:
            p = os.path.join(root, f)
            os.chmod(p, os.stat(p).st_mode | 0o200)


def add_commit(table_dir, actions, timestamp_ms=None, commit_info=None):
    """Appends the next JSON commit (a commitInfo plus `actions`) to a copied
    table; the file appears atomically (written aside, then renamed).
    commit_info: extra commitInfo fields (operation, operationMetrics, ...).
    Returns the new version."""
    log = os.path.join(table_dir, "_delta_log")
    make_writable(table_dir)
    versions = [int(m.group(1)) for m in (re.match(r"^(\d{20})\.json$", f) for f in os.listdir(log)) if m]
    version = max(versions) + 1 if versions else 0
    ts = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    info = {"timestamp": ts, "operation": "E2E TEST", "operationParameters": {}}
    info.update(commit_info or {})
    lines = [json.dumps({"commitInfo": info})]
    lines += [json.dumps(a) for a in actions]
    tmp = os.path.join(log, ".e2e-commit.tmp")
    with open(tmp, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    os.rename(tmp, os.path.join(log, "%020d.json" % version))
    return version


def rewrite_commit(table_dir, version, fn):
    """Rewrites commit `version` of a copied table: fn(action dict) returns the
    action to write (or None to drop it)."""
    make_writable(table_dir)
    p = os.path.join(table_dir, "_delta_log", "%020d.json" % version)
    with open(p) as fh:
        actions = [json.loads(line) for line in fh if line.strip()]
    out = [a for a in (fn(a) for a in actions) if a is not None]
    with open(p, "w") as fh:
        fh.write("\n".join(json.dumps(a) for a in out) + "\n")


def set_commit_mtimes_ns(table_dir, times_ns):
    """Gives commit N the modification time times_ns[N] (nanoseconds)."""
    for v, t in enumerate(times_ns):
        os.utime(os.path.join(table_dir, "_delta_log", "%020d.json" % v), ns=(t, t))
