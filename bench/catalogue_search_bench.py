"""Public catalogue search at province scale (issue 17): N listed offers (100,000 and 1,000,000), one client's p50 and
p99 over a fixed list of queries, then wrk with 32 connections on a mix of them against `/livez` (a route of the same
binary that reads nothing) in the same run. The server keeps anonymous answers for 5 s (`PublicResponseCache`); the
mix runs twice, the first run right after the server starts on the freshly listed offers (what a restart after a
rebuild meets), the second on the warmed server. The one-client figures and the last wrk run are of the server
started again with none kept (`BANGFU_PUBLIC_CACHE_SECONDS=0`), so every request searches.

    .venv-test/bin/python -u bench/catalogue_search_bench.py [--offers 100000 1000000] [--db both] [--seconds 60]

The offers are written straight into the database (their import is `catalogue_import_bench.py`'s measurement),
certified there, and listed by `bangfu list-catalogue --rebuild`, whose time is recorded too.
"""
import argparse
import csv
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time

import requests

from catalogue_bench import BIN, PREFIXES, ROOT, VARIETIES, Server, villages, write_regions
from reconciliation_bench import postgres_database

LONGJIAO = "500235105000"
QUERIES = [
    ("broad: 橙", {"q": "橙"}),
    ("broad, by price: 土", {"q": "土", "sort": "priceAsc"}),
    ("narrow: 云阳脐橙", {"q": "云阳脐橙"}),
    ("one character, rare: 莓", {"q": "莓"}),
    ("a miss: 榴莲", {"q": "榴莲"}),
    ("a miss of two common pairs: 橙土", {"q": "橙土"}),
    ("category: 水果", {"category": "fruit"}),
    ("category + township: 水果, 龙角镇", {"category": "fruit", "region": LONGJIAO}),
    ("name + mark + township", {"q": "橙", "mark": "green", "region": LONGJIAO}),
    ("everything, page 40", {"page": "40"}),
]
FRUIT = ("橙", "柑", "李", "猕猴桃", "莓")


def offers_csv(path, n, today):
    """Offer rows in the table's columns: names from 200 varieties (and a rare one), 30 days of updates."""
    rng = random.Random(11)
    vs = villages()
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        for i in range(n):
            variety = "高山蓝莓" if i % 1000 == 0 else (
                PREFIXES[i % len(PREFIXES)] + VARIETIES[(i // len(PREFIXES)) % len(VARIETIES)])
            category = "fruit" if any(k in variety for k in FRUIT) else "other"
            day = time.strftime("%Y-%m-%d", time.localtime(today - 86400 * rng.randint(0, 25)))
            w.writerow([vs[i % len(vs)][0], "", "x", "某*", f"k{i}", f"s{i}", category, variety,
                        100000, "斤", 0, 0, rng.randint(100, 9000), "斤", "delivery", "", "李*", "177****5558", "",
                        "green" if i % 10 == 0 else "", "", "", day, "bench", ""])


COLUMNS = ("region_code, supplier_id, seller_sealed, seller_masked, offer_key, seller_key, category, variety, "
           "quantity_thousandths, quantity_unit, reserved_thousandths, deep_poverty, price_fen, price_unit, "
           "supply_method, shop_url, contact_name, contact_phone, contact_sealed, quality_marks, linked_households, "
           "note, updated_on, source, content_hash")
CERTIFY = ("INSERT INTO product_applications (offer_id, region_code, product_name, documents, state, valid_from, "
           "valid_until) SELECT id, region_code, variety, 'bench', 'certified', '2026-01-01', '2099-01-01' FROM offers "
           "WHERE source = 'bench'")


def load(url, var, path):
    if url:
        copy = f"\\copy offers ({COLUMNS}) FROM '{path}' WITH (FORMAT csv, FORCE_NOT_NULL (quality_marks))"
        subprocess.run(["psql", url, "-q", "-c", copy], check=True)
        subprocess.run(["psql", url, "-q", "-c", CERTIFY + "; ANALYZE"], check=True)
        return
    with sqlite3.connect(os.path.join(var, "bangfu.sqlite")) as db:
        with open(path, encoding="utf-8") as f:
            rows = ([None if v == "" and c in (1, 15, 18, 20, 21, 24) else v for c, v in enumerate(r)]
                    for r in csv.reader(f))
            db.executemany(f"INSERT INTO offers ({COLUMNS}) VALUES ({', '.join('?' * 25)})", rows)
        db.execute(CERTIFY)
        db.execute("ANALYZE")


def percentile(samples, p):
    samples = sorted(samples)
    return samples[min(len(samples) - 1, int(len(samples) * p))]


def one_client(base, repeat):
    s = requests.Session()
    out = []
    for label, params in QUERIES:
        hits = len(s.get(base + "/api/v1/catalogue", params=params).json())
        samples = []
        for _ in range(repeat):
            t = time.perf_counter()
            s.get(base + "/api/v1/catalogue", params=params).raise_for_status()
            samples.append((time.perf_counter() - t) * 1000)
        out.append((label, hits, statistics.median(samples), percentile(samples, 0.99)))
    return out


def wrk(base, paths, seconds, var):
    script = os.path.join(var, "mix.lua")
    with open(script, "w") as f:
        f.write("local paths = {" + ", ".join(f'"{p}"' for p in paths) + "}\nlocal i = 0\n"
                "request = function()\n  i = i + 1\n  return wrk.format('GET', paths[(i % #paths) + 1])\nend\n")
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "-s", script, base], check=True,
                         capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"\s+(50|99)%\s+([\d.]+\w+)", out))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return rate, lat.get("50"), lat.get("99"), int(bad.group(1)) if bad else 0, errors.group(1) if errors else "none"


def peak_mib(srv):
    with open(f"/proc/{srv.proc.pid}/status") as f:
        return int(re.search(r"VmHWM:\s+(\d+)", f.read()).group(1)) / 1024


def bench(label, url, n, seconds):
    var = tempfile.mkdtemp(prefix="bangfu-search-bench-")
    srv = Server(var, url)
    try:
        regions = os.path.join(var, "villages.csv")
        write_regions(regions)
        srv.start()
        srv.stop()
        srv.run("import-regions", regions)
        rows = os.path.join(var, "offers.csv")
        offers_csv(rows, n, time.time())
        load(url, var, rows)
        t = time.perf_counter()
        srv.run("list-catalogue", "--rebuild")
        listing = time.perf_counter() - t
        srv.start()
        paths = ["/api/v1/catalogue?" + requests.models.RequestEncodingMixin._encode_params(p) for _, p in QUERIES]
        mix = wrk(srv.base, paths, seconds, var)
        warm = wrk(srv.base, paths, seconds, var)
        bare = wrk(srv.base, ["/livez"], seconds, var)
        peak = peak_mib(srv)
        srv.stop()
        srv.env["BANGFU_PUBLIC_CACHE_SECONDS"] = "0"
        srv.start()
        single = one_client(srv.base, 200)
        uncached = wrk(srv.base, paths, seconds, var)
        peak = max(peak, peak_mib(srv))
        return {"label": label, "n": n, "listing": listing, "single": single, "mix": mix, "warm": warm,
                "uncached": uncached, "bare": bare, "peak": peak}
    finally:
        if getattr(srv, "proc", None) and srv.proc.poll() is None:
            srv.proc.kill()
            srv.proc.wait()
        shutil.rmtree(var, ignore_errors=True)


def report(r):
    print(f"\n#### {r['label']}, {r['n']:,} listed offers\n")
    print(f"`bangfu list-catalogue --rebuild` (the whole index written afresh): {r['listing']:.1f} s; "
          f"server peak RSS {r['peak']:,.0f} MiB\n")
    print("| query (one client, 200 requests) | hits on page 1 | p50 ms | p99 ms |\n|---|---|---|---|")
    for label, hits, p50, p99 in r["single"]:
        print(f"| {label} | {hits} | {p50:.1f} | {p99:.1f} |")
    print("\n| wrk, 32 connections | requests/s | p50 | p99 | non-2xx | socket errors | ÷ bare |\n"
          "|---|---|---|---|---|---|---|")
    brate = r["bare"][0]
    for label, key in [("the mix of the queries above, the first run after the server starts", "mix"),
                       ("the same mix again", "warm"), ("the same mix, every request searched", "uncached"),
                       ("`/livez` (reads nothing)", "bare")]:
        rate, p50, p99, bad, err = r[key]
        print(f"| {label} | {rate:,.0f} | {p50} | {p99} | {bad} | {err} | {rate / brate:.2f}× |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--offers", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--seconds", type=int, default=60)
    a = ap.parse_args()
    print(f"binary {os.path.relpath(BIN, ROOT)}")
    for n in a.offers:
        if a.db in ("sqlite", "both"):
            report(bench("SQLite (WAL)", "", n, a.seconds))
        if a.db in ("postgres", "both"):
            with postgres_database() as url:
                report(bench("PostgreSQL", url, n, a.seconds))


if __name__ == "__main__":
    main()
