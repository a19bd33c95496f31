"""Two app servers on PostgreSQL with a streaming replica, behind nginx: sessions, files, jobs and heavy reads work
whichever server answers, and a job outlives the server that ran it."""
import os
import tempfile
import time

import requests

from conftest import api_session, sign_in

ROWS = 60_000
READ_YOUR_WRITES = 10    # seconds, ReplicaRouting.readYourWrites


def upstreams(session, url, n=12):
    seen = set()
    for _ in range(n):
        r = session.get(url, timeout=10)
        assert r.status_code == 200, r.status_code
        assert 'id="who"' in r.text, "still signed in, whichever server answered"
        seen.add(r.headers["X-Upstream"])
    return seen


def test_a_session_made_through_the_proxy_holds_on_both_servers(cluster):
    proxy = cluster["proxy"].base
    session = sign_in(proxy, "yunyang.office")
    seen = upstreams(session, proxy + "/purchases")
    assert seen == {f"127.0.0.1:{cluster['a'].port}", f"127.0.0.1:{cluster['b'].port}"}


def test_a_proof_uploaded_on_one_server_is_read_on_the_other(cluster):
    a, b = cluster["a"].base, cluster["b"].base
    api = api_session(a, "yunyang.office")
    purchase = api.get(a + "/api/v1/purchases?limit=1").json()[0]["id"]
    pdf = b"%PDF-1.4\n" + os.urandom(3 * 1024 * 1024) + b"\n%%EOF\n"    # more than one stored chunk
    stored = api.post(a + f"/api/v1/purchases/{purchase}/proof", files={"file": ("证明.pdf", pdf, "application/pdf")})
    assert stored.status_code == 201, stored.text[:300]
    url = stored.json()[-1]["url"]
    reader = sign_in(b, "yunyang.office")
    read = reader.get(b + url)
    assert read.status_code == 200
    assert read.content == pdf


def export(path, rows, prefix):
    with open(path, "w", encoding="utf-8") as f:
        f.write("订单号,采购单位,下单日期,产地,供应商,商品名称,数量,订单金额\n")
        for i in range(rows):
            f.write(f"{prefix}-{i},云阳县人民医院,2026-10-{1 + i % 28:02d},500235105201,户{i % 5000},土豆,"
                    f"{1 + i % 9}斤,{50 + i % 400}元\n")


def booked(pg, prefix):
    with pg.connect() as c:
        return c.execute("SELECT COUNT(*) FROM purchases WHERE source_ref LIKE %s", (prefix + "-%",)).fetchone()[0]


def test_an_import_started_on_one_server_is_followed_on_the_other_and_outlives_a_kill(cluster):
    a, b, pg = cluster["a"], cluster["b"], cluster["pg"]
    path = os.path.join(tempfile.mkdtemp(), "832.csv")
    export(path, ROWS, "C")
    api = api_session(a.base, "yunyang.office")
    with open(path, "rb") as f:
        started = api.post(a.base + "/api/v1/purchases/import?platform=p832&async=1", data=f,
                           headers={"Content-Type": "text/csv"})
    assert started.status_code == 202, started.text[:300]
    job = started.json()["id"]

    # Progress read through the other server, from the job table, while the import runs.
    state = {}
    for _ in range(600):
        state = api.get(b.base + f"/api/v1/imports/{job}").json()
        if state["state"] == "running" and state["read"] > 0:
            break
        time.sleep(0.05)
    assert state["state"] == "running" and state["read"] > 0, state
    runner = {"app-a": a, "app-b": b}[state["worker"]]
    survivor = b if runner is a else a
    runner.kill()
    assert booked(pg, "C") == 0, "the killed run's transaction left nothing"

    # The survivor takes the lapsed lease over and runs the file again from its stored copy: every row, once.
    for _ in range(1200):
        state = api.get(survivor.base + f"/api/v1/imports/{job}").json()
        if state["state"] not in ("queued", "running"):
            break
        time.sleep(0.25)
    assert state["state"] == "done", state
    assert state["worker"] == survivor.name
    assert [state["created"], state["skipped"]] == [ROWS, 0]
    assert booked(pg, "C") == ROWS
    runner.start()


def test_a_bulletin_read_from_the_replica_equals_the_primarys(cluster):
    a, b, pg = cluster["a"], cluster["b"], cluster["pg"]
    api = api_session(a.base, "yunyang.office")
    other = api_session(a.base, "yunyang.jiaowei")
    time.sleep(READ_YOUR_WRITES)    # making a token is a write: its marks on the primary lapse first
    bulletin = api.get(a.base + "/api/v1/bulletins").json()[0]["id"]
    pg.caught_up()
    from_replica = api.get(a.base + f"/api/v1/bulletins/{bulletin}")
    assert from_replica.headers.get("X-Bangfu-Read") == "replica"
    # A caller who has just written reads the primary (their own change may not have reached the replica).
    from_primary = api.get(a.base + f"/api/v1/bulletins/{bulletin}", cookies={"bangfu_wrote": str(int(time.time()))})
    assert "X-Bangfu-Read" not in from_primary.headers
    assert from_replica.json() == from_primary.json()
    # A token client keeps no cookies: its write is marked on the primary, and its next reads stay there.
    purchase = api.get(a.base + "/api/v1/purchases?limit=1").json()[0]["id"]
    proof = {"file": ("证明.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}
    assert requests.post(a.base + f"/api/v1/purchases/{purchase}/proof", headers=api.headers, files=proof).ok
    after_write = requests.get(b.base + f"/api/v1/bulletins/{bulletin}", headers=api.headers)
    assert after_write.status_code == 200
    assert "X-Bangfu-Read" not in after_write.headers
    assert other.get(b.base + f"/api/v1/bulletins/{bulletin}").headers.get("X-Bangfu-Read") == "replica"
    with pg.connect(replica=True) as r:
        assert r.execute("SELECT pg_is_in_recovery()").fetchone()[0], "the replica is a standby"


def test_metrics_and_readiness_on_each_server(cluster):
    for server in (cluster["a"], cluster["b"]):
        ready = requests.get(server.base + "/readyz").json()
        assert ready == {"status": "ok", "database": "ok", "migrations": "ok", "replica": "ok",
                         "instance": server.name}
        text = requests.get(server.base + "/metrics").text
        assert 'bangfu_http_requests_total{method="GET",route="/readyz",status="200"}' in text
        assert 'bangfu_jobs{state="queued"}' in text
        assert 'bangfu_db_connections{state="idle"}' in text
    answer = requests.get(cluster["proxy"].base + "/livez", headers={"X-Request-Id": "ops-test-1"})
    assert answer.headers["X-Request-Id"]
