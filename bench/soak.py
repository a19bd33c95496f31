"""Soak (issue 18): mixed traffic through nginx for a stretch on two app servers over a PostgreSQL primary with a
streaming replica, then the same on one app server, in one run. Clients are closed loops (each sends its next request
when the last is answered), so throughput is what the servers give; two ÷ one is the scaling on this machine.

    .venv-test/bin/python -u bench/soak.py [--minutes 10] [--clients 12]   (BANGFU_BIN: a release build)

The mix, per client loop: public catalogue searches, the progress dashboard and ledger list (signed in), ledger
entries through the API, ledger exports (CSV of 附件3); and an import of 2,000 platform orders every minute, started
on the proxy and followed to its end. /metrics of each server is scraped every 10 s. Reported: requests and
non-2xx per route, p50/p99, throughput, each server's memory (RSS) at start and end, jobs done.
"""
import argparse
import collections
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time

import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ops"))
from conftest import AppServer, Nginx, Postgres, api_session, sign_in  # noqa: E402

SEARCHES = ["橙", "土豆", "蜂蜜", "茶", "脐橙", "榨菜", "米", "核桃"]


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = collections.defaultdict(list)
        self.bad = collections.defaultdict(list)

    def timed(self, route, call):
        start = time.perf_counter()
        try:
            r = call()
            status = r.status_code
        except requests.RequestException as e:
            status = f"error {type(e).__name__}"
        elapsed = (time.perf_counter() - start) * 1000
        with self.lock:
            self.times[route].append(elapsed)
            if not (isinstance(status, int) and 200 <= status < 300):
                self.bad[route].append(status)
        return status


def client(proxy, office, api, template, recorder, stop, seed):
    rng = random.Random(seed)
    n = 0
    while not stop.is_set():
        n += 1
        pick = rng.random()
        if pick < 0.45:
            q = rng.choice(SEARCHES)
            recorder.timed("GET /catalogue", lambda: requests.get(proxy + "/catalogue", params={"q": q}, timeout=60))
        elif pick < 0.60:
            recorder.timed("GET /progress", lambda: office.get(proxy + "/progress", timeout=60))
        elif pick < 0.75:
            recorder.timed("GET /purchases", lambda: office.get(proxy + "/purchases", timeout=60))
        elif pick < 0.97:
            body = dict(template, seller=f"压测{seed}-{n}", amount=f"{20 + n % 80}元")
            recorder.timed("POST /api/v1/purchases", lambda: api.post(proxy + "/api/v1/purchases", json=body, timeout=60))
        else:
            recorder.timed("GET /api/v1/purchases/sheets",
                           lambda: api.get(proxy + "/api/v1/purchases/sheets?form=3&format=csv", timeout=120))


def importer(proxy, api, recorder, stop, results, tag):
    """An import of 2,000 orders every minute, followed to its end (its time and state are recorded)."""
    results["imports"], results["import_states"], results["import_seconds"] = 0, collections.Counter(), []
    while not stop.is_set():
        started = time.monotonic()
        path = os.path.join(tempfile.mkdtemp(), "orders.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write("订单号,采购单位,下单日期,产地,供应商,商品名称,数量,订单金额\n")
            for i in range(2_000):
                f.write(f"SOAK-{tag}-{results['imports']}-{i},云阳县人民医院,2026-10-{1 + i % 28:02d},500235105201,"
                        f"户{i},土豆,{1 + i % 9}斤,{50 + i % 400}元\n")
        with open(path, "rb") as f:
            r = api.post(proxy + "/api/v1/purchases/import?platform=p832&async=1", data=f,
                         headers={"Content-Type": "text/csv"}, timeout=120)
        results["imports"] += 1
        if r.status_code != 202:
            results["import_states"][f"http {r.status_code}"] += 1
        else:
            job = r.json()["id"]
            state = r.json()
            while state["state"] in ("queued", "running"):
                time.sleep(0.5)
                state = api.get(proxy + f"/api/v1/imports/{job}", timeout=30).json()
            results["import_states"][f"{state['state']} ({state['created']} rows)"] += 1
            results["import_seconds"].append(round(time.monotonic() - started, 1))
        stop.wait(max(0.0, 60 - (time.monotonic() - started)))


def scraper(servers, stop, scrapes):
    while not stop.wait(10):
        for s in servers:
            try:
                text = requests.get(s.base + "/metrics", timeout=10).text
                queued = [line for line in text.splitlines() if line.startswith('bangfu_jobs{state="queued"}')]
                scrapes.append((s.name, "ok", queued[0].split()[-1] if queued else "?"))
            except requests.RequestException as e:
                scrapes.append((s.name, f"error {type(e).__name__}", "?"))


def phase(name, servers, minutes, clients):
    proxy_server = Nginx(servers).start()
    proxy = proxy_server.base
    office = sign_in(proxy, "yunyang.office")
    api = api_session(proxy, "yunyang.office")
    t = api.get(proxy + "/api/v1/purchases?limit=1").json()[0]
    template = {"buyerUnitId": t["buyerUnitId"], "purchasedOn": "2026-11-20", "originRegionCode": t["originRegionCode"],
                "variety": "土豆", "quantity": "10斤", "purpose": "canteen", "channel": t["channel"]}
    memory_start = {s.name: s.memory_kib() for s in servers}
    recorder, stop, results, scrapes = Recorder(), threading.Event(), {}, []
    threads = [threading.Thread(target=client, args=(proxy, sign_in(proxy, "yunyang.office"), api_session(
        proxy, "yunyang.office"), template, recorder, stop, i)) for i in range(clients)]
    threads.append(threading.Thread(target=importer, args=(proxy, api, recorder, stop, results, name)))
    threads.append(threading.Thread(target=scraper, args=(servers, stop, scrapes)))
    started = time.monotonic()
    for th in threads:
        th.start()
    stop.wait(minutes * 60)
    stop.set()
    for th in threads:
        th.join(300)
    seconds = time.monotonic() - started
    memory_end = {s.name: s.memory_kib() for s in servers}
    proxy_server.stop()
    with api.get(servers[0].base + "/metrics", timeout=30) as r:
        jobs = [line for line in r.text.splitlines() if line.startswith("bangfu_jobs{")]
    total = sum(len(v) for v in recorder.times.values())
    report = {
        "phase": name, "seconds": round(seconds, 1), "requests": total, "per_second": round(total / seconds, 1),
        "non_2xx": {k: collections.Counter(map(str, v)) for k, v in recorder.bad.items()},
        "routes": {k: {"n": len(v), "p50_ms": round(statistics.median(v), 1),
                       "p99_ms": round(sorted(v)[max(0, int(len(v) * 0.99) - 1)], 1)}
                   for k, v in sorted(recorder.times.items())},
        "memory_kib": {n: [memory_start[n], memory_end[n]] for n in memory_start},
        "imports": {"started": results.get("imports", 0), "ended": dict(results.get("import_states", {})),
                    "seconds": results.get("import_seconds", [])},
        "scrapes": {"ok": sum(1 for s in scrapes if s[1] == "ok"), "failed": sum(1 for s in scrapes if s[1] != "ok")},
        "jobs_after": jobs,
    }
    print(json.dumps(report, ensure_ascii=False, indent=1), flush=True)
    return report


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=12)
    args = parser.parse_args()
    pg = Postgres().start()
    a = AppServer("app-a", pg.url(), pg.url(replica=True), demo=True, lease=30).start()
    b = AppServer("app-b", pg.url(), pg.url(replica=True), lease=30).start()
    try:
        two = phase("two", [a, b], args.minutes, args.clients)
        one = phase("one", [a], args.minutes, args.clients)
        print(json.dumps({"throughput_two_over_one": round(two["per_second"] / one["per_second"], 2)}), flush=True)
    finally:
        for s in (a, b):
            s.stop()
        pg.stop()


if __name__ == "__main__":
    main()
