"""Production shape on one machine: a PostgreSQL primary and a streaming replica (pg_basebackup -R on loopback),
app servers (the real binary), and Debian's nginx in front. Started and stopped by these fixtures."""
import base64
import glob
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import psycopg
import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parent.parent
BINARY = os.environ.get("BANGFU_BIN", str(ROOT / ".build/debug/bangfu"))
DEMO_PASSWORD = "Bangfu2026demo"
TODAY = "2026-11-30"
KEY = base64.b64encode(os.urandom(32)).decode()
CSRF = re.compile(r'name="_csrf"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="_csrf"')
TOKEN = re.compile(r'<code class="token" id="new-token">([^<]+)</code>')


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin(tool):
    return sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))[-1] + "/" + tool


def as_postgres(args):
    """PostgreSQL refuses to run as root: as root (CI), its tools run as the postgres account."""
    return (["runuser", "-u", "postgres", "--"] + args) if os.getuid() == 0 else args


class Postgres:
    """A primary with WAL for a replica, and the replica itself, each in its own folder and port."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="bangfu-cluster-")
        os.chmod(self.dir, 0o755)
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")
        self.port, self.replica_port = free_port(), free_port()

    def start(self):
        primary = f"{self.dir}/primary"
        subprocess.run(as_postgres([pg_bin("initdb"), "-D", primary, "-U", "bangfu", "--auth=trust", "-E", "UTF8",
                                    "--locale=C.UTF-8"]), check=True, stdout=subprocess.DEVNULL)
        self._pg_ctl(primary, self.port, "start", "-c wal_level=replica -c max_wal_senders=5 -c hot_standby=on")
        subprocess.run([pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "bangfu", "bangfu"],
                       check=True)
        subprocess.run(as_postgres([pg_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "bangfu",
                                    "-D", f"{self.dir}/replica", "-R", "-X", "stream"]), check=True)
        self._pg_ctl(f"{self.dir}/replica", self.replica_port, "start", "-c hot_standby=on")
        return self

    def _pg_ctl(self, data, port, action, options=""):
        opts = f"-p {port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off {options}"
        subprocess.run(as_postgres([pg_bin("pg_ctl"), "-D", data, "-l", f"{data}.log", "-w", "-o", opts, action]),
                       check=True, stdout=subprocess.DEVNULL)

    def url(self, database="bangfu", replica=False):
        port = self.replica_port if replica else self.port
        return f"postgres://bangfu@127.0.0.1:{port}/{database}?sslmode=disable"

    def connect(self, database="bangfu", replica=False):
        port = self.replica_port if replica else self.port
        return psycopg.connect(host="127.0.0.1", port=port, user="bangfu", dbname=database, autocommit=True)

    def create(self, database):
        with self.connect() as c:
            c.execute(f'CREATE DATABASE "{database}"')

    def caught_up(self):
        """Waits until the replica has replayed everything the primary has written so far."""
        with self.connect() as p:
            target = p.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        with self.connect(replica=True) as r:
            for _ in range(200):
                if r.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)).fetchone()[0]:
                    return
                time.sleep(0.05)
        raise AssertionError("the replica did not catch up")

    def stop(self):
        for data in ("replica", "primary"):
            subprocess.run(as_postgres([pg_bin("pg_ctl"), "-D", f"{self.dir}/{data}", "-m", "immediate", "stop"]),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


class AppServer:
    """`bangfu serve` with the given database; its own data folder (nothing shared through it)."""

    def __init__(self, name, database_url="", replica_url="", demo=False, lease=4):
        self.name = name
        self.var = tempfile.mkdtemp(prefix=f"bangfu-{name}-")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, BANGFU_VAR_DIR=self.var, BANGFU_DEMO="1" if demo else "0",
                        DATABASE_URL=database_url, DATABASE_READ_URL=replica_url, BANGFU_TODAY=TODAY,
                        BANGFU_DATA_KEY=KEY, BANGFU_INSTANCE=name, BANGFU_JOB_LEASE_SECONDS=str(lease),
                        BANGFU_LOG_FORMAT="json")
        self.proc = None

    def start(self):
        log = open(os.path.join(self.var, "server.log"), "a")
        self.proc = subprocess.Popen([BINARY, "serve", "--hostname", "127.0.0.1", "--port", str(self.port)],
                                     cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        for _ in range(1200):
            try:
                if requests.get(self.base + "/readyz", timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(self.log())
            time.sleep(0.1)
        raise RuntimeError("server did not start: " + self.log())

    def log(self):
        return open(os.path.join(self.var, "server.log")).read()[-4000:]

    def memory_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            return int(next(line for line in f if line.startswith("VmRSS")).split()[1])

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)
        shutil.rmtree(self.var, ignore_errors=True)

    def command(self, *args):
        """Runs another `bangfu` command with this server's settings (backup, restore)."""
        return subprocess.run([BINARY, *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=600)


class Nginx:
    """Debian's nginx as the reverse proxy, round-robin over the servers; it names the upstream that answered."""

    def __init__(self, servers):
        self.dir = tempfile.mkdtemp(prefix="bangfu-nginx-")
        os.chmod(self.dir, 0o777)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        upstreams = "\n".join(f"    server 127.0.0.1:{s.port} max_fails=1 fail_timeout=2s;" for s in servers)
        conf = (ROOT / "ops" / "nginx-test.conf").read_text()
        conf = conf.replace("@DIR@", self.dir).replace("@PORT@", str(self.port)).replace("@UPSTREAMS@", upstreams)
        pathlib.Path(self.dir, "nginx.conf").write_text(conf)
        self.proc = None

    def start(self):
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.proc = subprocess.Popen([binary, "-p", self.dir, "-c", f"{self.dir}/nginx.conf"],
                                     stdout=subprocess.DEVNULL, stderr=open(f"{self.dir}/stderr.log", "w"))
        for _ in range(100):
            try:
                requests.get(self.base + "/livez", timeout=1)
                return self
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError(open(f"{self.dir}/stderr.log").read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


def csrf(html):
    match = CSRF.search(html)
    return match.group(1) or match.group(2)


def sign_in(base, username):
    """A browser-like session: the login form with its CSRF token."""
    s = requests.Session()
    page = s.get(base + "/login", timeout=10)
    answer = s.post(base + "/login", timeout=10,
                    data={"username": username, "password": DEMO_PASSWORD, "_csrf": csrf(page.text)})
    answer.raise_for_status()
    assert 'id="who"' in answer.text, "signed in"
    return s


def api_session(base, username):
    """A session with a bearer token made on the tokens page, as a person would."""
    s = sign_in(base, username)
    page = s.get(base + "/account/tokens", timeout=10)
    answer = s.post(base + "/account/tokens", timeout=10, data={"name": "ops", "_csrf": csrf(page.text)})
    api = requests.Session()
    api.headers["Authorization"] = "Bearer " + TOKEN.search(answer.text).group(1).strip()
    return api


@pytest.fixture(scope="session")
def postgres():
    pg = Postgres().start()
    yield pg
    pg.stop()


@pytest.fixture(scope="session")
def cluster(postgres):
    """Two app servers on the primary, reading heavy pages from the replica, behind nginx. The first loads the demo
    and migrates; the second starts once it is ready (migrations run once)."""
    a = AppServer("app-a", postgres.url(), postgres.url(replica=True), demo=True).start()
    b = AppServer("app-b", postgres.url(), postgres.url(replica=True)).start()
    proxy = Nginx([a, b]).start()
    yield {"a": a, "b": b, "proxy": proxy, "pg": postgres}
    proxy.stop()
    for s in (a, b):
        s.stop()
