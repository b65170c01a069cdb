"""Object-store emulators for the cloud end-to-end tests.

- ``ensure_npm_packages``: installs the emulators from npm (pinned versions)
  into ``<build>/e2e-npm`` the first time (nothing is committed).
- ``S3rver`` / ``Azurite``: start ``s3rver`` (S3) and ``azurite-blob`` (Azure
  Blob) on an OS-chosen port in a temporary folder, stop them at the end.
- Upload helpers: S3 through botocore (Debian's python3-botocore), Azure
  with a Shared Key signature written here (Azurite checks it for real).
- ``botocore_presign``: the S3 pre-signed URL botocore makes for the same
  inputs (credentials, region, time, lifetime), to check lakeshare's SigV4
  against an independent signer (s3rver does not verify SigV4 signatures).

The emulators' keys are their public, documented defaults.
"""

import base64
import datetime
import email.utils
import fcntl
import hashlib
import hmac
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse

import requests

import harness

S3RVER_VERSION = "3.7.1"
AZURITE_VERSION = "3.35.0"  # the last release that runs on Debian 12's Node.js 18

S3_KEY_ID = "S3RVER"
S3_SECRET = "S3RVER"
S3_REGION = "us-east-1"

AZURE_ACCOUNT = "devstoreaccount1"
AZURE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
AZURE_VERSION = "2021-08-06"

START_TIMEOUT = 60.0


def build_dir(lakeshare_bin):
    """The CMake build folder holding the binary (<build>/src/cli/lakeshare)."""
    d = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(lakeshare_bin))))
    if os.path.isfile(os.path.join(d, "CMakeCache.txt")):
        return d
    return os.path.join(harness.REPO_ROOT, "build")


_install_lock = threading.Lock()


def ensure_npm_packages(lakeshare_bin):
    """Installs s3rver and azurite into <build>/e2e-npm; returns its bin folder."""
    root = os.path.join(build_dir(lakeshare_bin), "e2e-npm")
    marker = os.path.join(root, ".installed-%s-%s" % (S3RVER_VERSION, AZURITE_VERSION))
    bin_dir = os.path.join(root, "node_modules", ".bin")
    os.makedirs(root, exist_ok=True)
    # Threads of one test process, and test processes (pytest-xdist workers)
    # sharing the build folder, install one at a time.
    with _install_lock, open(root + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.isfile(marker):
            return bin_dir
        npm = shutil.which("npm")
        assert npm, "npm is not installed (scripts/install-deps installs Node.js and npm)"
        with open(os.path.join(root, "package.json"), "w") as f:
            f.write('{"name": "lakeshare-e2e-emulators", "private": true}\n')
        cmd = [npm, "install", "--no-audit", "--no-fund", "--no-save", "--loglevel=error",
               "s3rver@" + S3RVER_VERSION, "azurite@" + AZURITE_VERSION]
        r = subprocess.run(cmd, cwd=root, stdin=subprocess.DEVNULL, capture_output=True, timeout=900)
        assert r.returncode == 0, "npm install failed:\n%s\n%s" % (r.stdout.decode(errors="replace"),
                                                                 r.stderr.decode(errors="replace"))
        open(marker, "w").close()
    return bin_dir


class _Emulator:
    LISTEN_RE = None
    name = "emulator"

    def __init__(self, args, workdir, env=None):
        self.args = args
        self.env = env
        self.workdir = workdir
        self.log_path = os.path.join(workdir, "%s.log" % self.name)
        self.proc = None
        self.port = None
        self.lines = []
        self._ready = threading.Event()

    def start(self):
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.workdir, env=self.env)
        threading.Thread(target=self._read, daemon=True).start()
        if not self._ready.wait(START_TIMEOUT) or self.port is None:
            self.stop()
            raise AssertionError("%s did not start:\n%s" % (self.name, "".join(self.lines)[-3000:]))
        return self

    def _read(self):
        for raw in iter(self.proc.stdout.readline, b""):
            self._log.write(raw)
            self._log.flush()
            line = raw.decode("utf-8", "replace")
            self.lines.append(line)
            m = self.LISTEN_RE.search(line)
            if m and not self._ready.is_set():
                self.port = int(m.group(1))
                self._ready.set()
        self._ready.set()

    def request_lines(self):
        return list(self.lines)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        try:
            self._log.close()
        except Exception:
            pass


class S3rver(_Emulator):
    name = "s3rver"
    LISTEN_RE = re.compile(r"listening on 127\.0\.0\.1:(\d+)")

    def __init__(self, bin_dir, workdir, buckets, silent=False):
        os.makedirs(workdir, exist_ok=True)
        data = os.path.join(workdir, "data")
        os.makedirs(data, exist_ok=True)
        args = [os.path.join(bin_dir, "s3rver"), "-d", data, "-a", "127.0.0.1", "-p", "0"]
        if silent:
            args.append("--silent")
        for b in buckets:
            args += ["--configure-bucket", b]
        # s3rver makes listing continuation tokens with a cipher OpenSSL 3
        # leaves out by default: without the legacy provider, a listing of
        # more than one page (1000 keys) is a 500.
        env = dict(os.environ)
        env["NODE_OPTIONS"] = (env.get("NODE_OPTIONS", "") + " --openssl-legacy-provider").strip()
        super().__init__(args, workdir, env)

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def client(self):
        import botocore.config
        import botocore.session
        session = botocore.session.get_session()
        return session.create_client(
            "s3", region_name=S3_REGION, endpoint_url=self.endpoint,
            aws_access_key_id=S3_KEY_ID, aws_secret_access_key=S3_SECRET,
            config=botocore.config.Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3}))

    def upload_tree(self, local_dir, bucket, prefix):
        """Uploads every file under local_dir to bucket/prefix/<relative path>."""
        c = self.client()
        n = 0
        for root, _, files in os.walk(local_dir):
            for f in files:
                p = os.path.join(root, f)
                rel = os.path.relpath(p, local_dir).replace(os.sep, "/")
                with open(p, "rb") as fh:
                    c.put_object(Bucket=bucket, Key=prefix + "/" + rel, Body=fh.read())
                n += 1
        return n

    def modification_times_ms(self, bucket, prefix):
        """{relative key: LastModified in ms} of the objects under prefix/."""
        c = self.client()
        out = {}
        token = None
        while True:
            kw = {"Bucket": bucket, "Prefix": prefix + "/"}
            if token:
                kw["ContinuationToken"] = token
            page = c.list_objects_v2(**kw)
            for o in page.get("Contents", []):
                out[o["Key"][len(prefix) + 1:]] = int(o["LastModified"].timestamp() * 1000)
            if not page.get("IsTruncated"):
                return out
            token = page["NextContinuationToken"]


class Azurite(_Emulator):
    name = "azurite"
    LISTEN_RE = re.compile(r"listens on http://127\.0\.0\.1:(\d+)")

    def __init__(self, bin_dir, workdir):
        os.makedirs(workdir, exist_ok=True)
        data = os.path.join(workdir, "data")
        os.makedirs(data, exist_ok=True)
        args = [os.path.join(bin_dir, "azurite-blob"), "--blobHost", "127.0.0.1", "--blobPort", "0",
                "--location", data, "--disableTelemetry"]
        super().__init__(args, workdir)

    @property
    def endpoint(self):
        """The blob endpoint (the emulator puts the account in the path)."""
        return "http://127.0.0.1:%d/%s" % (self.port, AZURE_ACCOUNT)

    def connection_string(self):
        return ("DefaultEndpointsProtocol=http;AccountName=%s;AccountKey=%s;BlobEndpoint=%s;"
                % (AZURE_ACCOUNT, AZURE_KEY, self.endpoint))

    # -- Shared Key requests (Blob service) ---------------------------------
    def _request(self, method, path, query=None, body=b"", headers=None):
        """path: '/container[/blob]' (decoded). Signs with the account key."""
        query = dict(query or {})
        headers = dict(headers or {})
        headers["x-ms-date"] = email.utils.formatdate(usegmt=True)
        headers["x-ms-version"] = AZURE_VERSION
        length = str(len(body)) if body else ""
        ms = sorted((k.lower(), v) for k, v in headers.items() if k.lower().startswith("x-ms-"))
        canon_headers = "".join("%s:%s\n" % (k, v) for k, v in ms)
        # The encoded URL path; the emulator's carries the account, so it appears twice.
        canon_resource = "/%s/%s%s" % (AZURE_ACCOUNT, AZURE_ACCOUNT, urllib.parse.quote(path))
        for k in sorted(query):
            canon_resource += "\n%s:%s" % (k.lower(), query[k])
        sts = "\n".join([method, "", "", length, "", headers.get("Content-Type", ""), "", "", "", "",
                         "", ""]) + "\n" + canon_headers + canon_resource
        sig = base64.b64encode(hmac.new(base64.b64decode(AZURE_KEY), sts.encode("utf-8"),
                                        hashlib.sha256).digest()).decode()
        headers["Authorization"] = "SharedKey %s:%s" % (AZURE_ACCOUNT, sig)
        url = "http://127.0.0.1:%d/%s%s" % (self.port, AZURE_ACCOUNT, urllib.parse.quote(path))
        if query:
            url += "?" + urllib.parse.urlencode(query)
        r = requests.request(method, url, data=body, headers=headers, timeout=30)
        assert r.status_code < 300, "Azurite %s %s -> %d %s" % (method, path, r.status_code, r.text[:500])
        return r

    def create_container(self, name):
        self._request("PUT", "/" + name, {"restype": "container"})

    def upload_tree(self, local_dir, container, prefix):
        n = 0
        for root, _, files in os.walk(local_dir):
            for f in files:
                p = os.path.join(root, f)
                rel = os.path.relpath(p, local_dir).replace(os.sep, "/")
                with open(p, "rb") as fh:
                    data = fh.read()
                self._request("PUT", "/%s/%s/%s" % (container, prefix, rel), body=data,
                              headers={"x-ms-blob-type": "BlockBlob",
                                       "Content-Type": "application/octet-stream"})
                n += 1
        return n

    def modification_times_ms(self, container, prefix):
        import xml.etree.ElementTree as ET
        out = {}
        marker = ""
        while True:
            q = {"restype": "container", "comp": "list", "prefix": prefix + "/"}
            if marker:
                q["marker"] = marker
            r = self._request("GET", "/" + container, q)
            root = ET.fromstring(r.content)
            for b in root.iter("Blob"):
                name = b.findtext("Name")
                lm = b.find("Properties").findtext("Last-Modified")
                out[name[len(prefix) + 1:]] = int(email.utils.parsedate_to_datetime(lm).timestamp() * 1000)
            marker = root.findtext("NextMarker") or ""
            if not marker:
                return out


def set_commit_mtimes_from(local_dir, mtimes_ms):
    """Gives the local copy's commit files the store's modification times, so
    the reference reading of the log sees the commit times the server sees."""
    for rel, ms in mtimes_ms.items():
        if re.match(r"^_delta_log/\d{20}\.json$", rel):
            p = os.path.join(local_dir, rel)
            os.utime(p, ns=(ms * 1000000, ms * 1000000))


def botocore_presign(url, secret=S3_SECRET, region=S3_REGION):
    """What botocore pre-signs for the object of a path-style S3 URL, given
    the same inputs as lakeshare had: key id (from X-Amz-Credential), time
    (X-Amz-Date), lifetime (X-Amz-Expires), session token, endpoint, bucket
    and key (decoded from the URL path). botocore encodes the key and signs
    by itself; returns its URL."""
    import botocore.auth
    import botocore.config
    import botocore.session
    from unittest import mock

    parts = urllib.parse.urlsplit(url)
    q = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
    key_id = q["X-Amz-Credential"][0].split("/")[0]
    when = datetime.datetime.strptime(q["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ")
    expires = int(q["X-Amz-Expires"][0])
    token = q.get("X-Amz-Security-Token", [None])[0]
    bucket, _, key = parts.path.lstrip("/").partition("/")
    client = botocore.session.get_session().create_client(
        "s3", region_name=region, endpoint_url="%s://%s" % (parts.scheme, parts.netloc),
        aws_access_key_id=key_id, aws_secret_access_key=secret, aws_session_token=token,
        config=botocore.config.Config(s3={"addressing_style": "path"}, signature_version="s3v4"))

    class FrozenDatetime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return when

        @classmethod
        def now(cls, tz=None):
            return when if tz is None else when.replace(tzinfo=tz)

    with mock.patch.object(botocore.auth.datetime, "datetime", FrozenDatetime):
        return client.generate_presigned_url(
            "get_object", Params={"Bucket": urllib.parse.unquote(bucket), "Key": urllib.parse.unquote(key)},
            ExpiresIn=expires)


def assert_same_s3_signature(url, context=""):
    """lakeshare's S3 URL equals botocore's for the same inputs: path and
    every query parameter (so the signature) identical."""
    theirs = botocore_presign(url)
    a, b = urllib.parse.urlsplit(url), urllib.parse.urlsplit(theirs)
    assert a.path == b.path, "%s: path %s, botocore encodes %s" % (context, a.path, b.path)
    qa = urllib.parse.parse_qs(a.query, keep_blank_values=True)
    qb = urllib.parse.parse_qs(b.query, keep_blank_values=True)
    assert qa == qb, "%s: lakeshare signed\n  %s\nbotocore signs\n  %s" % (context, url, theirs)


def azure_sas_params(url):
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query, keep_blank_values=True)
