"""Orders benchmark (issue 14) at province scale: 100,000 offers, 20,000 buyer units, 10,000 open needs.

- one need's matches through `GET /api/v1/needs/{id}/matches` (the real server, JSON included), p50/p99, against
  the same need answered by a plain SQL query (certified, fresh, in stock, within the ceiling, cheapest 50) in
  the same run — the floor;
- every open need matched again (`bangfu rematch-needs`, which also writes the kept matches), against DuckDB
  computing the same top 20 per need by the same rule from CSV exports of the same tables;
- orders placed under load: wrk, 32 connections for 30 s — 24 placing orders, 8 searching the public catalogue —
  with the error count (non-2xx and socket errors).

The catalogue, units, needs and pairings are written straight into the database after the server has migrated
it: the catalogue's import path has its own benchmark.

    .venv-test/bin/python bench/orders_bench.py [--offers 100000 --units 20000 --needs 10000]
"""
import argparse
import csv
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time

import duckdb
import requests

from catalogue_bench import BIN, ROOT, TOWNS, Server, villages

TODAY = "2026-11-30"
VARIETIES = ["红橙", "脐橙", "柑橘", "土豆", "红薯", "腊肉", "土鸡蛋", "蜂蜜", "核桃", "香菇", "木耳", "脆李", "猕猴桃",
             "茶叶", "菜籽油", "洋芋粉条", "魔芋", "辣椒", "生姜", "大米", "玉米", "黄豆", "板栗", "天麻", "党参"]
DEEP_TOWNS = TOWNS[:3]


def write_regions(path):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["code", "name", "parent", "flags"])
        for t in DEEP_TOWNS:
            w.writerow([f"500235{t:03d}000", f"{t}号镇", "", "示例;原深度贫困"])
        for code, name in villages():
            w.writerow([code, name, "", "示例"])


class Store:
    """The server's database, written and read directly: SQLite through sqlite3, PostgreSQL through psycopg."""

    def __init__(self, url, sqlite_path):
        self.url = url
        if url:
            import psycopg
            self.db = psycopg.connect(url, autocommit=True)
        else:
            self.db = sqlite3.connect(sqlite_path, isolation_level=None)
            self.db.execute("PRAGMA busy_timeout = 10000")

    def mark(self, sql):
        return sql.replace("?", "%s") if self.url else sql

    def insert(self, table, columns, rows):
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        cur = self.db.cursor()
        if not self.url:
            cur.execute("BEGIN")
        cur.executemany(self.mark(sql), rows)
        if not self.url:
            cur.execute("COMMIT")

    def all(self, sql, args=()):
        cur = self.db.cursor()
        cur.execute(self.mark(sql), args)
        return cur.fetchall()

    def export(self, sql, path):
        cur = self.db.cursor()
        cur.execute(sql)
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow([d[0] for d in cur.description])
            w.writerows(cur.fetchall())


def populate(store, offers, units, needs, seed=14):
    rng = random.Random(seed)
    places = [code for code, _ in villages()]
    store.insert("offers", ["region_code", "seller_sealed", "seller_masked", "offer_key", "category", "variety",
                            "quantity_thousandths", "quantity_unit", "price_fen", "price_unit", "supply_method",
                            "contact_name", "contact_phone", "quality_marks", "updated_on", "source",
                            "reserved_thousandths"],
                 [(rng.choice(places), "bench", f"户{i}", f"bench-{i}", "other", VARIETIES[i % len(VARIETIES)],
                   rng.randint(100, 5000) * 1000, "斤", rng.randint(100, 3000), "斤", "delivery", "李xx", "177****5558",
                   "", "2026-11-20", "bench", 0) for i in range(offers)])
    first = store.all("SELECT MIN(id) FROM offers WHERE source = 'bench'")[0][0]
    store.insert("product_applications", ["offer_id", "region_code", "product_name", "documents", "state",
                                          "valid_from", "valid_until"],
                 [(first + i, "500235000000", "bench", "bench", "certified", "2026-01-01", "2027-12-31")
                  for i in range(offers) if i % 10 != 0])
    store.insert("buyer_units", ["name", "kind", "region_code", "is_budget_unit", "has_canteen", "has_five_into_duty"],
                 [(f"单位{i}", "school", "500235000000", True, True, True) for i in range(units)])
    unit0 = store.all("SELECT MIN(id) FROM buyer_units WHERE name = '单位0'")[0][0]
    store.insert("pairings", ["kind", "helper_unit_id", "helped_region_code", "starts_on", "match_township", "status"],
                 [("designatedAssistance", unit0 + i, rng.choice(places), "2026-01-01", False, "confirmed")
                  for i in range(0, units, 4)])
    store.insert("needs", ["buyer_unit_id", "buyer_region_code", "variety", "quantity_thousandths", "quantity_unit",
                           "price_ceiling_fen", "certified_only", "delivery_region_code", "delivery_address",
                           "window_from", "window_to", "every_days", "state", "posted_by", "marks", "purpose"],
                 [(unit0 + rng.randrange(units), "500235000000", rng.choice(VARIETIES), rng.randint(50, 2000) * 1000,
                   "斤", rng.choice([None, 1500, 2500]), True, "500235000000", "食堂", "2026-12-01", "2027-01-15",
                   rng.choice([None, 7]), "open", "bench", "", "canteen") for _ in range(needs)])
    return first, unit0


def floor_query(store, need):
    """The plain SQL answer to one need: certified, fresh, in stock, within the ceiling, cheapest 50."""
    variety, unit, ceiling = store.all("SELECT variety, quantity_unit, price_ceiling_fen FROM needs WHERE id = ?",
                                       (need,))[0]
    return store.all(
        "SELECT o.id FROM offers o WHERE o.variety = ? AND o.quantity_unit = ? AND o.updated_on > ? "
        "AND o.quantity_thousandths > o.reserved_thousandths AND (? IS NULL OR o.price_fen <= ?) "
        "AND EXISTS (SELECT 1 FROM product_applications a WHERE a.offer_id = o.id AND a.state = 'certified' "
        "AND a.valid_until > ?) ORDER BY o.price_fen, o.id LIMIT 50",
        (variety, unit, "2026-10-30", ceiling, ceiling, TODAY))


def percentiles(samples):
    samples = sorted(samples)
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.99) - 1)]


def duckdb_rematch(store, folder):
    """The same top 20 per open need by the same rule, computed by DuckDB from CSV exports of the tables."""
    store.export("SELECT id, variety, region_code, quantity_unit, price_fen, updated_on, "
                 "quantity_thousandths - reserved_thousandths AS stock FROM offers", f"{folder}/offers.csv")
    store.export("SELECT offer_id, state, valid_until FROM product_applications", f"{folder}/apps.csv")
    store.export(f"SELECT id, buyer_unit_id, variety, quantity_unit, price_ceiling_fen, certified_only FROM needs "
                 f"WHERE state = 'open' AND window_to >= '{TODAY}'", f"{folder}/needs.csv")
    store.export("SELECT helper_unit_id AS unit, helped_region_code AS place FROM pairings WHERE status = 'confirmed' "
                 "AND helper_unit_id IS NOT NULL", f"{folder}/pairings.csv")
    store.export("SELECT code FROM regions WHERE is_deep_poverty = true", f"{folder}/deep.csv")
    q = f"""
    WITH o AS (
        SELECT o.*, EXISTS (SELECT 1 FROM read_csv_auto('{folder}/apps.csv') a WHERE a.offer_id = o.id
                   AND a.state = 'certified' AND a.valid_until > '{TODAY}') AS certified,
               (o.region_code IN (SELECT code FROM read_csv_auto('{folder}/deep.csv', all_varchar = true))
                OR substr(o.region_code, 1, 9) || '000' IN (SELECT code FROM read_csv_auto('{folder}/deep.csv', all_varchar = true))
                OR substr(o.region_code, 1, 6) || '000000' IN (SELECT code FROM read_csv_auto('{folder}/deep.csv', all_varchar = true))) AS deep
        FROM read_csv_auto('{folder}/offers.csv', types = {{'region_code': 'VARCHAR'}}) o
        WHERE o.updated_on > '2026-10-30' AND o.stock > 0),
    h AS (SELECT unit, CASE WHEN place LIKE '%000000' THEN substr(place, 1, 6) WHEN place LIKE '%000' THEN substr(place, 1, 9)
                 ELSE place END AS prefix FROM read_csv_auto('{folder}/pairings.csv', types = {{'place': 'VARCHAR'}})),
    ranked AS (
        SELECT n.id AS need, o.id AS offer, row_number() OVER (PARTITION BY n.id ORDER BY
            CASE WHEN EXISTS (SELECT 1 FROM h WHERE h.unit = n.buyer_unit_id AND starts_with(o.region_code, h.prefix))
                 THEN 1 WHEN o.deep THEN 2 ELSE 3 END, o.price_fen, o.id) AS rank
        FROM read_csv_auto('{folder}/needs.csv') n JOIN o ON o.variety = n.variety AND o.quantity_unit = n.quantity_unit
            AND (n.price_ceiling_fen IS NULL OR o.price_fen <= n.price_ceiling_fen) AND (o.certified OR NOT n.certified_only))
    SELECT need, offer, rank FROM ranked WHERE rank <= 20"""
    t = time.perf_counter()
    rows = duckdb.sql(q).fetchall()
    return time.perf_counter() - t, rows


LUA = """
math.randomseed(os.time())
request = function()
  local unit = %d + math.random(0, %d)
  local offer = %d + math.random(0, %d) * 10 + math.random(1, 9)
  local body = string.format('{"buyerUnitId":%%d,"lines":[{"offerId":%%d,"quantity":"1斤"}],"deliveryAddress":"食堂"}', unit, offer)
  return wrk.format("POST", "/api/v1/orders", {["Content-Type"] = "application/json",
                    ["Authorization"] = "Bearer %s"}, body)
end
"""


def parse_wrk(out):
    """Rate, errors (non-2xx and socket errors), p50 and p99 from wrk's --latency report."""
    non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    socket = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    lat = dict(re.findall(r"\s+(50|99)%\s+([\d.]+\w+)", out))
    return {"rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "errors": non2xx + socket,
            "p50": lat.get("50"), "p99": lat.get("99")}


def wrk(args):
    return parse_wrk(subprocess.run(["wrk", "-t", "1", "--timeout", "10s", "--latency", *args],
                                    capture_output=True, text=True).stdout)


def load(srv, token, first_offer, unit0, units, offers, seconds):
    script = tempfile.mktemp(suffix=".lua")
    with open(script, "w") as f:
        f.write(LUA % (unit0, units - 1, first_offer, offers // 10 - 1, token))
    orders = subprocess.Popen(["wrk", "-t", "1", "-c", "24", "-d", f"{seconds}s", "--timeout", "10s", "--latency",
                               "-s", script, srv.base], stdout=subprocess.PIPE, text=True)
    search = wrk(["-c", "8", "-d", f"{seconds}s", srv.base + "/api/v1/catalogue?q=%E7%BA%A2%E6%A9%99"])
    return parse_wrk(orders.communicate()[0]), search


def bench(label, url, n_offers, n_units, n_needs, seconds):
    var = tempfile.mkdtemp(prefix="bangfu-orders-bench-")
    try:
        srv = Server(var, url)
        srv.env["BANGFU_TODAY"] = TODAY
        regions = os.path.join(var, "regions.csv")
        write_regions(regions)
        srv.start()     # migrates and loads the demo county
        srv.stop()
        srv.run("import-regions", regions)
        store = Store(url, os.path.join(var, "bangfu.sqlite"))
        first_offer, unit0 = populate(store, n_offers, n_units, n_needs)
        srv.run("import-regions", regions)     # as after any region import: the offers take their places' flags
        srv.start()
        api = {"Authorization": "Bearer " + srv.token("yunyang.office")}
        needs = [r[0] for r in store.all("SELECT id FROM needs WHERE posted_by = 'bench'")]
        sample = random.Random(1).sample(needs, 300)
        for need in sample[:20]:        # warm-up
            requests.get(f"{srv.base}/api/v1/needs/{need}/matches", headers=api).raise_for_status()
        ours, floor = [], []
        for need in sample:
            t = time.perf_counter()
            r = requests.get(f"{srv.base}/api/v1/needs/{need}/matches", headers=api)
            ours.append((time.perf_counter() - t) * 1000)
            assert r.ok, r.text[:300]
            t = time.perf_counter()
            floor_query(store, need)
            floor.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        out = subprocess.run([BIN, "rematch-needs"], cwd=ROOT, env=srv.env, capture_output=True, text=True, check=True)
        rematch_wall = time.perf_counter() - t
        rematch_ms = int(re.search(r"用时 (\d+) 毫秒", out.stdout).group(1))
        kept = store.all("SELECT COUNT(*) FROM need_matches")[0][0]
        duck_s, duck_rows = duckdb_rematch(store, var)
        placed, search = load(srv, api["Authorization"].split()[1], first_offer, unit0, n_units, n_offers, seconds)
        placed_rows = store.all("SELECT COUNT(*) FROM orders")[0][0]
        o50, o99 = percentiles(ours)
        f50, f99 = percentiles(floor)
        print(f"\n### {label}: {n_offers:,} offers, {n_units:,} units, {n_needs:,} open needs\n")
        print("| | p50 ms | p99 ms |\n|---|---|---|")
        print(f"| one need's matches, `GET /api/v1/needs/{{id}}/matches` (HTTP, ranked, reasons, split) | "
              f"{o50:.1f} | {o99:.1f} |")
        print(f"| floor: the plain SQL query for the same need (cheapest 50, no tiers) | {f50:.1f} | {f99:.1f} |\n")
        print(f"- every open need matched again (`bangfu rematch-needs`, {kept:,} kept matches written): "
              f"**{rematch_ms / 1000:.2f} s** in the command ({rematch_wall:.2f} s with process start)")
        print(f"- DuckDB {duckdb.__version__}, the same top 20 per need from CSV exports: **{duck_s:.2f} s** "
              f"({len(duck_rows):,} rows)")
        print(f"- orders under load, {seconds} s: placing (24 connections) **{placed['rate']:.0f}/s**, "
              f"p50 {placed['p50']}, p99 {placed['p99']}, errors {placed['errors']}; catalogue search beside it "
              f"(8 connections) {search['rate']:.0f}/s, p50 {search['p50']}, p99 {search['p99']}, errors {search['errors']}; "
              f"{placed_rows:,} orders in the database")
        srv.proc.terminate()
        try:
            srv.proc.wait(60)
        except subprocess.TimeoutExpired:
            srv.proc.kill()
    finally:
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--offers", type=int, default=100_000)
    ap.add_argument("--units", type=int, default=20_000)
    ap.add_argument("--needs", type=int, default=10_000)
    ap.add_argument("--seconds", type=int, default=30)
    a = ap.parse_args()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; "
          f"binary {os.path.relpath(BIN, ROOT)}")
    bench("SQLite (WAL)", "", a.offers, a.units, a.needs, a.seconds)
    if os.environ.get("BENCH_DATABASE_URL"):
        bench("PostgreSQL", os.environ["BENCH_DATABASE_URL"], a.offers, a.units, a.needs, a.seconds)
