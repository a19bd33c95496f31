"""Reconciliation benchmark (三方对账) at province scale: one quarter of a generated 云南省 ledger and its carriers'
waybills, matched by the real server, against DuckDB doing the same blocking join and scoring in the same run.

The issue's goal: a province quarter (1M ledger rows, 1M waybills) reconciled no slower than DuckDB, in bounded
memory, and a re-run after 10k new rows costing in proportion to the new rows. So this measures, per database
(SQLite and PostgreSQL, a fresh server process each):

- `POST /api/v1/reconciliations` for 2026-07-01 … 2026-09-30 as the province office: wall time (HTTP included)
  and the server's peak RSS during the request (VmHWM, reset through /proc/<pid>/clear_refs just before);
- the same request after 10,000 new ledger rows and 10,000 new waybills (the re-run), and with `"full": true`;
- DuckDB reading the same CSVs and computing, by the same rule, every row's best candidate per other source and
  its best waybill (blocks of origin township and buyer, 7 days; amount, product, quantity and weight scores),
  timed from reading the CSVs to the result table, with its process's peak RSS (Python included).

The data: 云南's 129 counties with 11 townships and 3 villages each (as `ledger_bench.py`), a few thousand buyer
units in the counties, rows over the quarter. A third of the purchases (half the rows) are reported twice, by the
township (附件2) and by the buying unit (附件3), 5% of those pairs with amounts apart by more than 2% (contradictions);
the rest come once (832 platform or a unit's own entry). 85% of purchases have a waybill (same village, the buyer as
receiver, shipped 0–3 days before, weight within 8% of the quantity in 斤); unmatched waybills fill up to as many
waybills as rows. Units, rows and waybills are written straight into the database after the server migrated it
(executemany in one transaction on SQLite, COPY on PostgreSQL), so loading is not what is timed. PostgreSQL is
BENCH_DATABASE_URL's server when given (a database is created in it and dropped), else a throw-away one.

    .venv-test/bin/python bench/reconciliation_bench.py [--rows 1000000] [--more 10000] [--db sqlite|postgres|both]
"""
import argparse
import contextlib
import csv
import datetime
import hashlib
import json
import os
import platform
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter

import duckdb
import requests

from catalogue_bench import BIN, ROOT, Server
from ledger_bench import counties, places, rss_kb, write_regions
from orders_bench import Store

FROM, TO, TODAY = "2026-07-01", "2026-09-30", "2026-10-15"
QUARTER_DAYS = 92
PROVINCE_OFFICE = "530000000000"
UNIT_ID0, PURCHASE_ID0, WAYBILL_ID0 = 900_001, 10_000_001, 10_000_001     # past the demo county's own ids
VARIETIES = ["红橙", "脐橙", "土豆", "红薯", "腊肉", "土鸡蛋", "蜂蜜", "核桃", "香菇", "木耳", "脆李", "猕猴桃", "茶叶",
             "菜籽油", "魔芋", "辣椒", "生姜", "大米", "玉米", "黄豆", "板栗", "天麻", "咖啡", "菌子", "三七"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
CARRIERS = ["中国邮政EMS", "顺丰速运"]
PURCHASE_COLUMNS = ["id", "buyer_unit_id", "buyer_region_code", "purchased_on", "booked_on", "origin_region_code",
                    "from_deep_poverty", "seller_masked", "seller_key", "households_touched", "variety",
                    "quantity_thousandths", "quantity_unit", "amount_fen", "purpose", "channel_code", "via_platform",
                    "source", "source_ref", "reporter", "state", "reverses_id"]
WAYBILL_COLUMNS = ["id", "carrier", "number", "shipped_on", "origin_code", "sender_address", "sender_masked",
                   "receiver_unit_id", "receiver_name", "item", "grams", "pieces", "freight_fen", "imported_by"]
DAYS = [(datetime.date(2026, 7, 1) + datetime.timedelta(days=d)).isoformat() for d in range(-10, QUARTER_DAYS)]


def day(offset):
    """The date `offset` days after 2026-07-01 (negative: before it)."""
    return DAYS[offset + 10]


class Province:
    """云南's counties, townships and villages as `ledger_bench.py` makes them, and the buyer units."""

    def __init__(self, n_units):
        self.counties = counties()
        self.towns, self.villages = places(self.counties)
        self.deep = {t for i, t in enumerate(self.towns) if i % 10 == 0}     # as write_regions flags them
        self.towns_of = {c: [t for t in self.towns if t[:6] == c[:6]] for c in self.counties}
        self.units = [(UNIT_ID0 + i, f"对账单位{i:04d}", self.counties[i % len(self.counties)]) for i in range(n_units)]

    def place(self, rng, county):
        """A village: in the buyer's own county four times in five, anywhere in the province otherwise."""
        town = rng.choice(self.towns_of[county] if rng.random() < 0.8 else self.towns)
        return town[:9] + f"2{rng.randint(1, 3):02d}"


class Writer:
    """Writes one batch of purchases and waybills as CSVs named by the tables' columns; counts what it planted."""

    def __init__(self, folder, tag, province, seed, first_purchase, first_waybill):
        self.tag, self.province, self.rng = tag, province, random.Random(seed)
        self.pid, self.wid, self.planted = first_purchase, first_waybill, Counter()
        self.paths = (os.path.join(folder, f"purchases-{tag}.csv"), os.path.join(folder, f"waybills-{tag}.csv"))
        self.files = [open(p, "w", encoding="utf-8", newline="") for p in self.paths]
        self.purchases, self.waybills = (csv.writer(f) for f in self.files)
        self.purchases.writerow(PURCHASE_COLUMNS)
        self.waybills.writerow(WAYBILL_COLUMNS)

    def close(self):
        for f in self.files:
            f.close()

    def purchase(self, source, unit, village, offset, variety, jin, amount, seller):
        channel, via, state = {"townshipReport": ("fiveInto", 0, "verified"),
                               "leadUnitReport": ("fiveInto", 0, self.rng.choice(["pending", "verified"])),
                               "platform": ("p832", 1, "verified"),
                               "manual": (self.rng.choice(["paired", "charity", "ecommerce"]), 0,
                                          self.rng.choice(["pending", "verified"]))}[source]
        key = hashlib.sha256(f"{village}|{seller}".encode()).hexdigest()[:32]
        purpose = self.rng.choices(["canteen", "unionWelfare", "condolence"], [8, 1, 1])[0]
        self.purchases.writerow([self.pid, unit[0], unit[2], day(offset), day(offset), village,
                                 int(village[:9] + "000" in self.province.deep), SURNAMES[seller % 20] + "*", key, 1,
                                 variety, jin * 1000, "斤", amount, purpose, channel, via, source,
                                 f"bench-{self.tag}-{self.pid}", f"bench.{source}", state, None])
        self.pid += 1

    def waybill(self, village, receiver, offset, item, grams):
        carrier = self.rng.choice(CARRIERS)
        address = f"云南省{village[6:9]}号镇{village[9:]}号村{self.rng.randint(1, 9)}组"
        self.waybills.writerow([self.wid, carrier, f"{self.tag}{self.wid:012d}", day(offset), village,
                                address, self.rng.choice(SURNAMES) + "*",
                                receiver[0] if receiver else None, receiver[1] if receiver else "某商贸有限公司",
                                item, grams, self.rng.randint(1, 20), self.rng.randint(800, 5000), "bench"])
        self.wid += 1

    def event(self, pair):
        """One purchase: reported once or twice, with or without its waybill."""
        rng = self.rng
        unit = rng.choice(self.province.units)
        village, offset, variety = self.province.place(rng, unit[2]), rng.randrange(QUARTER_DAYS), rng.choice(VARIETIES)
        jin, seller = rng.randint(10, 400), rng.randrange(50_000)
        amount = jin * rng.randint(300, 3000)
        shipped = rng.random() < 0.85
        if pair:
            kind = rng.choices(["same", "close", "contradiction"], [90, 5, 5])[0]
            other = {"same": amount, "close": amount + amount // 100,
                     "contradiction": amount + amount * rng.randint(5, 30) // 100}[kind]
            self.purchase("townshipReport", unit, village, offset, variety, jin, amount, seller)
            self.purchase("leadUnitReport", unit, village, min(QUARTER_DAYS - 1, offset + rng.randint(0, 2)),
                          rng.choice([variety, "云南" + variety]), jin, other, seller)
            outcome = "contradiction" if kind == "contradiction" else "threeWay" if shipped else "twoWay"
        else:
            source = "platform" if rng.random() < 0.75 else "manual"
            self.purchase(source, unit, village, offset, variety, jin, amount, seller)
            outcome = "twoWay" if shipped else "single"
        self.planted[outcome] += 2 if pair else 1
        if shipped:
            self.waybill(village, unit, offset - rng.randint(0, 3), rng.choice([variety, variety + "5斤装"]),
                         jin * 500 * rng.randint(95, 108) // 100)

    def stray_waybill(self):
        """A shipment no ledger row describes (three in ten to no registered unit)."""
        rng = self.rng
        unit = rng.choice(self.province.units)
        receiver = None if rng.random() < 0.3 else unit
        self.waybill(self.province.place(rng, unit[2]), receiver, rng.randrange(-3, QUARTER_DAYS),
                     rng.choice(VARIETIES), rng.randint(5, 200) * 500)

    def write(self, rows, waybills):
        """`rows` ledger rows (half of them in 附件2/附件3 pairs), then stray waybills up to `waybills`."""
        first_pid, first_wid = self.pid, self.wid
        while self.pid - first_pid < rows:
            self.event(pair=rows - (self.pid - first_pid) >= 2 and self.rng.random() < 1 / 3)
        while self.wid - first_wid < waybills:
            self.stray_waybill()
        self.close()
        return self.paths


def generate(folder, province, rows, more):
    """The quarter's CSVs and the later batch's, with what each planted (outcomes without chance matches)."""
    base = Writer(folder, "A", province, 1, PURCHASE_ID0, WAYBILL_ID0)
    base_paths = base.write(rows, rows)
    later = Writer(folder, "B", province, 2, base.pid, base.wid)
    return base_paths, base.planted, later.write(more, more)


# The database: units and the office set up, CSVs loaded as they are.

def load(store, table, path):
    """A CSV whose header names the table's columns, loaded as it is: COPY, or executemany in one transaction."""
    with open(path, encoding="utf-8", newline="") as f:
        if store.url:
            columns = f.readline().strip()
            with store.db.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy:
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
            return
        rows = csv.reader(f)
        columns = next(rows)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        store.db.execute("BEGIN")
        store.db.executemany(sql, ([v if v != "" else None for v in r] for r in rows))
        store.db.execute("COMMIT")


def settle(store, tables):
    """On PostgreSQL, as after the app's own imports: identities past the loaded ids, statistics fresh."""
    if not store.url:
        return
    for table in tables:
        store.all(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        store.db.execute(f"ANALYZE {table}")


def setup(store, province):
    """The buyer units in their counties, and the demo office moved up to the province."""
    store.insert("buyer_units", ["id", "name", "kind", "region_code", "is_budget_unit", "has_canteen",
                                 "has_five_into_duty"],
                 [(uid, name, "publicInstitution", county, True, True, False) for uid, name, county in province.units])
    store.db.execute(store.mark("UPDATE users SET region_code = ? WHERE username = 'yunyang.office'"),
                     (PROVINCE_OFFICE,))
    settle(store, ["buyer_units"])


def reconcile(srv, api, body):
    """One timed run: seconds, the server's peak RSS during it (MiB) and the summary it returned."""
    with contextlib.suppress(OSError):       # resets VmHWM (Linux ≥ 4.0); without it the peak is the process's
        with open(f"/proc/{srv.proc.pid}/clear_refs", "w") as f:
            f.write("5")
    t = time.perf_counter()
    r = requests.post(srv.base + "/api/v1/reconciliations", json=body, headers=api, timeout=7200)
    seconds = time.perf_counter() - t
    assert r.status_code == 200, f"{r.status_code}: {r.text[:500]}"
    return seconds, rss_kb(srv.proc.pid)["VmHWM"] / 1024, r.json()


def prepare(srv, url, province, base):
    """The database migrated, the province's places imported, units and the quarter loaded: (store, seconds)."""
    regions = os.path.join(srv.var, "places.csv")
    write_regions(regions, province.towns, province.villages)
    srv.start()     # migrates and loads the demo county
    srv.stop()
    srv.run("import-regions", regions)
    store = Store(url, os.path.join(srv.var, "bangfu.sqlite"))
    setup(store, province)
    t = time.perf_counter()
    load(store, "purchases", base[0])
    load(store, "logistics_waybills", base[1])
    settle(store, ["purchases", "logistics_waybills"])
    return store, time.perf_counter() - t


def bench(label, url, province, base, more):
    """Load, start a fresh server, run the quarter, add the later batch, run again, run in full."""
    srv = Server(tempfile.mkdtemp(prefix="bangfu-reconciliation-bench-"), url)
    srv.env["BANGFU_TODAY"] = TODAY
    store = None
    try:
        store, loaded = prepare(srv, url, province, base)
        srv.start()
        api = {"Authorization": "Bearer " + srv.token("yunyang.office")}
        idle = rss_kb(srv.proc.pid)["VmRSS"] / 1024
        period = {"from": FROM, "to": TO}
        first = reconcile(srv, api, period)
        load(store, "purchases", more[0])
        load(store, "logistics_waybills", more[1])
        settle(store, ["purchases", "logistics_waybills"])
        again = reconcile(srv, api, period)
        full = reconcile(srv, api, dict(period, full=True))
        srv.stop()
        return {"label": label, "loaded": loaded, "idle": idle, "first": first, "again": again, "full": full}
    finally:
        if getattr(srv, "proc", None) and srv.proc.poll() is None:     # a failed run leaves no server behind
            srv.proc.kill()
            srv.proc.wait()
        if store:
            store.db.close()
        shutil.rmtree(srv.var, ignore_errors=True)


# PostgreSQL: BENCH_DATABASE_URL's server, or a throw-away one as scripts/test starts it.

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def throwaway_postgres():
    """initdb in a temporary directory (as the postgres user when run as root), fsync off; yields its URL."""
    pg_bin = sorted(os.listdir("/usr/lib/postgresql"), key=lambda v: [int(x) for x in v.split(".")])[-1]
    pg_bin = f"/usr/lib/postgresql/{pg_bin}/bin"
    folder, port = tempfile.mkdtemp(prefix="bangfu-pg-"), free_port()
    as_user = []
    if os.getuid() == 0:
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    quiet = {"check": True, "stdout": subprocess.DEVNULL}
    try:
        subprocess.run([*as_user, f"{pg_bin}/initdb", "-D", f"{folder}/data", "-U", "bangfu", "--auth=trust", "-E",
                        "UTF8", "--locale=C.UTF-8"], **quiet)
        subprocess.run([*as_user, f"{pg_bin}/pg_ctl", "-D", f"{folder}/data", "-l", f"{folder}/log", "-w", "-o",
                        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start"], **quiet)
        yield f"postgres://bangfu@127.0.0.1:{port}/postgres?sslmode=disable"
    finally:
        subprocess.run([*as_user, f"{pg_bin}/pg_ctl", "-D", f"{folder}/data", "-m", "fast", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def postgres_database():
    """A fresh database for the run, dropped afterwards."""
    import psycopg
    with contextlib.ExitStack() as stack:
        server = os.environ.get("BENCH_DATABASE_URL") or stack.enter_context(throwaway_postgres())
        name = "bangfu_reconciliation_bench"
        admin = psycopg.connect(server, autocommit=True)
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
        try:
            yield urllib.parse.urlsplit(server)._replace(path="/" + name).geturl()
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.close()


# DuckDB: the same blocks and scores over the same CSVs, each row's best candidate per other source.

DUCK_MACROS = """
CREATE MACRO close(a, b, bp) AS greatest(abs(a), abs(b)) = 0 OR abs(a - b) * 10000 <= greatest(abs(a), abs(b)) * bp;
CREATE MACRO same_product(x, y) AS x <> '' AND y <> '' AND (contains(x, y) OR contains(y, x));
CREATE MACRO grams_of(thousandths, unit) AS thousandths * CASE unit WHEN '斤' THEN 500 WHEN '公斤' THEN 1000
    WHEN '千克' THEN 1000 WHEN 'kg' THEN 1000 WHEN '克' THEN 1 WHEN '吨' THEN 1000000 END // 1000;
"""

DUCK_QUERY = """
CREATE TABLE ledger AS SELECT * FROM read_csv({purchases}, header = true,
    types = {{'origin_region_code': 'VARCHAR', 'buyer_region_code': 'VARCHAR', 'source_ref': 'VARCHAR',
             'reverses_id': 'BIGINT'}});
CREATE TABLE bills AS SELECT * FROM read_csv({waybills}, header = true,
    types = {{'origin_code': 'VARCHAR', 'number': 'VARCHAR', 'receiver_unit_id': 'BIGINT', 'grams': 'BIGINT'}});
CREATE TABLE p AS
SELECT id, CASE source WHEN 'townshipReport' THEN 'township' WHEN 'leadUnitReport' THEN 'leadUnit'
           WHEN 'platform' THEN 'platform' WHEN 'order' THEN 'order' ELSE 'manual' END AS src,
       buyer_unit_id AS buyer, substr(origin_region_code, 1, 9) AS town, CAST(purchased_on AS DATE) AS day,
       amount_fen AS amount, quantity_thousandths AS qty, quantity_unit AS unit, trim(variety) AS variety
FROM ledger l
WHERE origin_region_code LIKE '53%' AND purchased_on BETWEEN '{start}' AND '{end}' AND reverses_id IS NULL
    AND state <> 'rejected' AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses_id = l.id);
CREATE TABLE w AS
SELECT id, substr(origin_code, 1, 9) AS town, receiver_unit_id AS receiver, CAST(shipped_on AS DATE) AS shipped,
       grams, trim(item) AS item
FROM bills
WHERE origin_code LIKE '53%' AND shipped_on BETWEEN '{bills_start}' AND '{end}' AND receiver_unit_id IS NOT NULL;
CREATE TABLE best AS
WITH pairs AS (
    SELECT a.id AS row_id, 'purchase' AS kind, b.id AS other_id, b.src AS other_src,
           least(100, 40 - 2 * abs(b.day - a.day)
               + CASE WHEN a.amount = b.amount THEN 40 WHEN close(a.amount, b.amount, 200) THEN 25 ELSE 0 END
               + CASE WHEN same_product(a.variety, b.variety) THEN 20 ELSE 0 END
               + CASE WHEN a.unit = b.unit AND a.qty = b.qty THEN 10 ELSE 0 END) AS score,
           NOT close(a.amount, b.amount, 200) OR (a.unit = b.unit AND NOT close(a.qty, b.qty, 1000)) AS contradicts
    FROM p a JOIN p b ON a.town = b.town AND a.buyer = b.buyer AND a.src <> b.src
        AND b.day BETWEEN a.day - 7 AND a.day + 7),
shipments AS (
    SELECT a.id AS row_id, 'waybill' AS kind, w.id AS other_id, 'waybill' AS other_src,
           least(100, 40 - 2 * greatest(0, a.day - w.shipped)
               + CASE WHEN same_product(a.variety, w.item) THEN 30 ELSE 0 END
               + CASE WHEN close(w.grams, grams_of(a.qty, a.unit), 3000) THEN 30 ELSE 0 END) AS score,
           coalesce(NOT close(w.grams, grams_of(a.qty, a.unit), 3000), false) AS contradicts
    FROM p a JOIN w ON w.town = a.town AND w.receiver = a.buyer AND w.shipped BETWEEN a.day - 7 AND a.day + 1),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY row_id, other_src ORDER BY score DESC, other_id) AS rank
    FROM (SELECT * FROM pairs UNION ALL SELECT * FROM shipments) WHERE score >= 50)
SELECT row_id, kind, other_id, other_src, score, contradicts FROM ranked WHERE rank = 1;
"""


def duck(purchases, waybills):
    """Runs in its own process (so that its peak RSS is its own): seconds, result rows, peak RSS (MiB)."""
    db = duckdb.connect()
    db.execute(DUCK_MACROS)
    bills_start = (datetime.date.fromisoformat(FROM) - datetime.timedelta(days=7)).isoformat()
    t = time.perf_counter()
    db.execute(DUCK_QUERY.format(purchases=f"'{purchases}'", waybills=f"'{waybills}'", start=FROM, end=TO,
                                 bills_start=bills_start))
    seconds = time.perf_counter() - t
    rows, contradicting = db.execute("SELECT count(*), count(*) FILTER (WHERE contradicts) FROM best").fetchone()
    return {"seconds": seconds, "rows": rows, "contradicting": contradicting, "threads": os.cpu_count(),
            "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def duck_in_process(paths):
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--duckdb", *paths], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


# The report.

def report(rows, waybills, more, planted, duck_result, results):
    print(f"\n### One province quarter ({FROM} … {TO}): {rows:,} ledger rows, {waybills:,} waybills\n")
    print("planted (before chance matches): " + ", ".join(f"{k} {v:,}" for k, v in sorted(planted.items())))
    print(f"DuckDB {duckdb.__version__}: {duck_result['rows']:,} best candidates "
          f"({duck_result['contradicting']:,} contradicting) in {duck_result['seconds']:.2f} s\n")
    print(f"| database | ledger rows | waybills | run s | peak RSS MiB | re-run after +{more:,} s | peak RSS MiB | "
          "full re-run s | peak RSS MiB | DuckDB s | DuckDB peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        (s1, m1, _), (s2, m2, _), (s3, m3, _) = r["first"], r["again"], r["full"]
        print(f"| {r['label']} | {rows:,} | {waybills:,} | **{s1:.2f}** | {m1:,.0f} | **{s2:.2f}** | {m2:,.0f} | "
              f"{s3:.2f} | {m3:,.0f} | {duck_result['seconds']:.2f} | {duck_result['peak']:,.0f} |")
    print()
    for r in results:
        print(f"- {r['label']}: loaded in {r['loaded']:.1f} s (not timed); server RSS before the run "
              f"{r['idle']:,.0f} MiB")
        for name in ["first", "again", "full"]:
            print(f"  - {name}: `{json.dumps(r[name][2], ensure_ascii=False, sort_keys=True)}`")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--units", type=int, default=3_000)
    ap.add_argument("--more", type=int, default=10_000)
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--duckdb", nargs=2, help=argparse.SUPPRESS)     # the DuckDB side, in its own process
    a = ap.parse_args()
    if a.duckdb:
        print(json.dumps(duck(*a.duckdb)))
        return
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; "
          f"binary {os.path.relpath(BIN, ROOT)}; DuckDB {duckdb.__version__}")
    folder = tempfile.mkdtemp(prefix="bangfu-reconciliation-data-")
    try:
        province = Province(a.units)
        base, planted, more = generate(folder, province, a.rows, a.more)
        duck_result = duck_in_process(base)
        results = []
        if a.db in ("sqlite", "both"):
            results.append(bench("SQLite (WAL)", "", province, base, more))
        if a.db in ("postgres", "both"):
            with postgres_database() as url:
                results.append(bench("PostgreSQL", url, province, base, more))
        report(a.rows, a.rows, a.more, planted, duck_result, results)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
