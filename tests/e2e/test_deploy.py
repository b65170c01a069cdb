"""The deployment files in deploy/ (there is no container engine and no helm
here, so none of them is run as a container; see deploy/README.md):

- yamllint passes on every YAML file of deploy/ (the Helm templates excepted:
  they are Go templates), and `haproxy -c` accepts the load balancer's config;
- the Dockerfile, docker-compose.yaml and the chart agree with each other and
  with the binary: probes and health checks on the real /healthz and /readyz,
  ports equal to the config's, the same non-root user, the config and secret
  mounted where the config's relative paths point, the PostgreSQL variables
  set from the Secret that holds them;
- the lakeshare configs that docker-compose.yaml and the chart give are run
  for real: `lakeshare serve` with each, laid out as the containers mount it
  (config/, secrets/, cache/), on a real PostgreSQL reached only through the
  libpq PG* variables, answers /healthz, /readyz and /metrics.
"""
import os
import re
import shutil
import subprocess

import pytest
import requests
import yaml

import harness

DEPLOY = os.path.join(harness.REPO_ROOT, "deploy")
COMPOSE_DIR = os.path.join(DEPLOY, "compose")
CHART = os.path.join(DEPLOY, "helm", "lakeshare")


def load(path):
    with open(path) as f:
        return yaml.safe_load(f)


def read(path):
    with open(path) as f:
        return f.read()


def dockerfile_instructions():
    """(instruction, argument) pairs of deploy/Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", read(os.path.join(DEPLOY, "Dockerfile")))
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def resolve(config_path, relative):
    return os.path.normpath(os.path.join(os.path.dirname(config_path), relative))


def test_yamllint_passes_on_deploy():
    tool = shutil.which("yamllint")
    assert tool, "yamllint not found: scripts/install-deps installs it"
    out = subprocess.run([tool, "-f", "parsable", "-c", ".yamllint", "."], cwd=DEPLOY, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr


def test_haproxy_accepts_the_load_balancer_config():
    tool = shutil.which("haproxy") or "/usr/sbin/haproxy"
    assert os.access(tool, os.X_OK), "haproxy not found: scripts/install-deps installs it"
    env = dict(os.environ, LISTEN="127.0.0.1:1", REPLICA_1="127.0.0.1:2", REPLICA_2="127.0.0.1:3")
    out = subprocess.run([tool, "-c", "-f", os.path.join(COMPOSE_DIR, "haproxy.cfg")], env=env, capture_output=True,
                         text=True, timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "warning" not in (out.stdout + out.stderr).lower(), out.stdout + out.stderr
    cfg = read(os.path.join(COMPOSE_DIR, "haproxy.cfg"))
    assert re.search(r"^\s*option httpchk GET /readyz\s*$", cfg, re.M)
    assert re.search(r"^\s*http-check expect status 200\s*$", cfg, re.M)


def test_dockerfile_is_multi_stage_on_debian_12_non_root_with_a_health_check():
    ins = dockerfile_instructions()
    froms = [a for w, a in ins if w == "FROM"]
    assert len(froms) >= 2 and all(f.split()[0] in ("debian:12", "debian:12-slim") for f in froms), froms
    users = [a for w, a in ins if w == "USER"]
    assert users and users[-1].split(":")[0] not in ("0", "root"), users
    health = [a for w, a in ins if w == "HEALTHCHECK"]
    assert len(health) == 1
    port = int([a for w, a in ins if w == "EXPOSE"][0])
    assert "http://127.0.0.1:%d/healthz" % port in health[0]
    cmd = yaml.safe_load([a for w, a in ins if w == "CMD"][0])
    assert cmd[:3] == ["serve", "--config", "/etc/lakeshare/lakeshare.yaml"]  # the package's config
    assert cmd[cmd.index("--port") + 1] == str(port)
    # The package's config path is the one the .deb installs (tests/e2e/test_package.py).
    assert os.path.isfile(os.path.join(DEPLOY, "debian", "lakeshare.yaml"))


def dockerfile_uid():
    users = [a for w, a in dockerfile_instructions() if w == "USER"]
    return int(users[-1].split(":")[0])


def test_compose_file_agrees_with_the_binary_and_the_image():
    compose = load(os.path.join(COMPOSE_DIR, "docker-compose.yaml"))
    services = compose["services"]
    assert set(services) == {"postgres", "lakeshare-1", "lakeshare-2", "haproxy"}
    config_file = os.path.join(COMPOSE_DIR, "lakeshare.yaml")
    cfg = load(config_file)
    postgres_env = services["postgres"]["environment"]
    for name in ("lakeshare-1", "lakeshare-2"):
        s = services[name]
        assert s["user"] == "%d:%d" % (dockerfile_uid(), dockerfile_uid())
        assert s["read_only"] is True and s["cap_drop"] == ["ALL"]
        assert s["expose"] == [str(cfg["port"])]
        # The config is mounted where the command reads it ...
        mounts = dict(v.split(":")[:2][::-1] for v in s["volumes"])
        config_in_container = s["command"][s["command"].index("--config") + 1]
        assert mounts[config_in_container] == "./lakeshare.yaml"
        # ... and its relative paths land on the secret and the tmpfs.
        secret = s["secrets"][0]
        assert secret["target"] == resolve(config_in_container, cfg["urlSigningKeyFile"])
        assert secret["source"] in compose["secrets"]
        tmpfs = s["tmpfs"][0].split(":")[0]
        assert os.path.dirname(resolve(config_in_container, cfg["hudi"]["mergeCache"])) == tmpfs
        assert "uid=%d" % dockerfile_uid() in s["tmpfs"][0]
        # The catalog database from libpq's variables, naming the postgres service.
        assert cfg["catalogUrl"] == "postgresql://"
        env = s["environment"]
        assert env["PGHOST"] == "postgres" and env["PGPORT"] == "5432"
        assert env["PGUSER"] == postgres_env["POSTGRES_USER"]
        assert env["PGDATABASE"] == postgres_env["POSTGRES_DB"]
        assert env["PGPASSWORD"] == postgres_env["POSTGRES_PASSWORD"]
    # The second replica starts once the first is healthy (it migrated the schema).
    assert services["lakeshare-2"]["depends_on"]["lakeshare-1"]["condition"] == "service_healthy"
    lb = services["haproxy"]
    assert lb["environment"]["REPLICA_1"] == "lakeshare-1:%d" % cfg["port"]
    assert lb["environment"]["REPLICA_2"] == "lakeshare-2:%d" % cfg["port"]
    assert "./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in lb["volumes"]
    lb_port = lb["environment"]["LISTEN"].lstrip(":")
    assert lb["ports"] == ["%s:%s" % (lb_port, lb_port)]


def template(name):
    return read(os.path.join(CHART, "templates", name))


def test_helm_chart_agrees_with_the_binary_and_the_image():
    chart = load(os.path.join(CHART, "Chart.yaml"))
    assert chart["apiVersion"] == "v2" and chart["name"] == "lakeshare"
    values = load(os.path.join(CHART, "values.yaml"))
    cfg = values["config"]
    # Probes on the binary's real endpoints, on the container port the config listens on.
    assert values["probes"]["readiness"]["path"] == "/readyz"
    assert values["probes"]["liveness"]["path"] == "/healthz"
    deployment = template("deployment.yaml")
    for probe, key in (("readinessProbe", "readiness"), ("livenessProbe", "liveness")):
        block = re.search(probe + r":\n\s+httpGet:\n\s+path: (.*)\n\s+port: (.*)\n", deployment)
        assert block, probe
        assert block.group(1) == "{{ .Values.probes.%s.path }}" % key and block.group(2) == "http"
    assert re.search(r"- name: http\n\s+containerPort: \{\{ \.Values\.config\.port \}\}", deployment)
    assert "targetPort: http" in template("service.yaml")
    # Non-root as the image's user, read-only root, no capabilities.
    assert values["podSecurityContext"]["runAsNonRoot"] is True
    assert values["podSecurityContext"]["runAsUser"] == dockerfile_uid()
    assert values["securityContext"]["readOnlyRootFilesystem"] is True
    assert values["securityContext"]["capabilities"]["drop"] == ["ALL"]
    # Mounts where the config's relative paths point.
    config_path = re.search(r'args: \["serve", "--config", "([^"]+)"\]', deployment).group(1)
    mounts = dict(re.findall(r"- name: (\S+)\n\s+mountPath: (\S+)", deployment))
    assert os.path.join(mounts["config"], "lakeshare.yaml") == config_path
    assert "lakeshare.yaml: |" in template("configmap.yaml")
    assert resolve(config_path, cfg["urlSigningKeyFile"]) == os.path.join(mounts["url-signing"], "url-signing.key")
    assert "url-signing.key:" in template("secret.yaml")
    assert os.path.dirname(resolve(config_path, cfg["hudi"]["mergeCache"])) == mounts["cache"]
    # The PostgreSQL connection: every PG* variable from the Secret's keys.
    assert cfg["catalogUrl"] == "postgresql://"
    refs = dict(re.findall(r"- name: (PG\w+)\n\s+valueFrom: \{secretKeyRef: \{name: [^,]+, key: (\w+)\}\}",
                           deployment))
    assert refs == {"PGHOST": "host", "PGPORT": "port", "PGUSER": "user", "PGPASSWORD": "password",
                    "PGDATABASE": "database"}
    secret = template("secret.yaml")
    for key in refs.values():
        assert re.search(r"^  %s: \{\{" % key, secret, re.M), key
    # Optional HPA and PodDisruptionBudget, off by default.
    assert values["autoscaling"]["enabled"] is False and values["podDisruptionBudget"]["enabled"] is False
    assert template("hpa.yaml").startswith("{{- if .Values.autoscaling.enabled }}")
    assert template("pdb.yaml").startswith("{{- if .Values.podDisruptionBudget.enabled }}")
    # The pod outlives the server's 30 s drain.
    assert values["terminationGracePeriodSeconds"] > 30


def serve_as_mounted(lakeshare_bin, config_text, postgres_cluster, workdir):
    """`lakeshare serve` on config_text, laid out as the containers mount it,
    with only libpq's variables naming the database. Returns the server."""
    for d in ("config", "secrets", "cache"):
        os.makedirs(os.path.join(workdir, d), exist_ok=True)
    with open(os.path.join(workdir, "secrets", "url-signing.key"), "w") as f:
        f.write("0123456789abcdef" * 4 + "\n")
    dbname, _ = postgres_cluster.new_database()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(PGHOST="127.0.0.1", PGPORT=str(postgres_cluster.port), PGUSER="postgres", PGDATABASE=dbname)
    # --host: the configs listen on every interface (a container's); a test only on loopback.
    return harness.ServerProcess(lakeshare_bin, config_text, os.path.join(workdir, "config"), name="lakeshare",
                                 extra_args=["--host", "127.0.0.1"], env=env).start(), dbname


def check_serves(server, cfg, postgres_cluster, dbname):
    try:
        for path in ("/healthz", "/readyz", "/metrics"):
            r = requests.get(server.base_url + path, timeout=10)
            assert r.status_code == 200, (path, r.status_code, r.text)
        assert server.endpoint_url == server.base_url + cfg["endpoint"]
        assert requests.get(server.endpoint_url + "/shares", timeout=10).status_code == 401
        # The catalog database is the one the PG* variables name: the schema was made there.
        tables = postgres_cluster.psql(dbname, "SELECT table_name FROM information_schema.tables "
                                               "WHERE table_schema = 'public'")
        assert "shares" in [row[0] for row in tables], tables
    finally:
        server.stop_and_check()


@pytest.mark.parametrize("source", ["compose", "helm"])
def test_the_deployed_configs_run_for_real(source, lakeshare_bin, postgres_cluster, tmp_path):
    if source == "compose":
        text = read(os.path.join(COMPOSE_DIR, "lakeshare.yaml"))
    else:
        # The ConfigMap holds values.config as YAML (toYaml), as here.
        text = yaml.safe_dump(load(os.path.join(CHART, "values.yaml"))["config"], sort_keys=True)
    server, dbname = serve_as_mounted(lakeshare_bin, text, postgres_cluster, str(tmp_path))
    check_serves(server, yaml.safe_load(text), postgres_cluster, dbname)
    # The cache and the key are where the containers mount them.
    assert os.path.isdir(os.path.join(str(tmp_path), "cache", "hudi-merge-cache"))
