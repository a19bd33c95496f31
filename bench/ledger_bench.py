"""Ledger benchmark at province scale (issues 4 and 5): a generated 云南省 ledger — its 129 real counties,
~1,400 townships and ~4,300 villages under them, 20,000 buyer units, 50,000 sellers — imported through the
real `POST /api/v1/purchases/import` path (streamed, fully validated, one transaction), against
`sqlite3 .import` / `psql \\copy` of the same file into a bare table; then dashboard totals, every unit's
progress and a quarterly bulletin from the rollups, against DuckDB computing the same from the raw CSV.

    .venv-test/bin/python bench/ledger_bench.py --rows 1000000 [--more 9000000]

`--more` imports a second file and measures again, to show the reads stay flat as the ledger grows.
"""
import argparse
import csv
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time

import duckdb
import requests

from catalogue_bench import ROOT, BIN, Server, timed

UNITS, SELLERS, PROVINCE = 20_000, 50_000, "53"
HEADER = ["订单号", "采购单位", "下单日期", "产地", "供应商", "商品名称", "数量", "订单金额"]
VARIETIES = ["红橙", "土豆", "腊肉", "蜂蜜", "核桃", "香菇", "茶叶", "咖啡", "大米", "菌子"]


def counties():
    with open(os.path.join(ROOT, "Resources/Data/regions-national.csv"), encoding="utf-8") as f:
        return [r[0] for r in csv.reader(f) if r[0].startswith(PROVINCE) and r[0][4:6] != "00" and r[0].endswith("000000")]


def places(cs):
    towns = [c[:6] + f"1{t:02d}000" for c in cs for t in range(1, 12)]
    return towns, [t[:9] + f"2{v:02d}" for t in towns for v in range(1, 4)]


def write_regions(path, towns, villages):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["code", "name", "parent", "flags"])
        for i, t in enumerate(towns):
            w.writerow([t, f"{i}号镇", "", "示例;原深度贫困" if i % 10 == 0 else "示例"])
        for i, v in enumerate(villages):
            w.writerow([v, f"{i}号村", "", "示例;帮扶村"])


def write_ledger(path, rows, villages, prefix, seed):
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(HEADER) + "\n")
        for i in range(rows):
            day = 1 + rng.randrange(303)          # 2026-01-01 … 2026-10-30
            month, dom = next((m, day - s) for m, s in reversed(list(enumerate([0, 31, 59, 90, 120, 151, 181, 212, 243, 273], 1))) if day > s)
            seller = rng.randrange(SELLERS)       # a seller lives in one village
            f.write(f"{prefix}{i},单位{rng.randrange(UNITS):05d},2026-{month:02d}-{dom:02d},{villages[seller % len(villages)]},"
                    f"供应商{seller},{VARIETIES[rng.randrange(len(VARIETIES))]},{1 + rng.randrange(200)}斤,"
                    f"{10 + rng.randrange(5000)}.{rng.randrange(100):02d}元\n")


def sql(srv, database_url, statements):
    if database_url:
        subprocess.run(["psql", database_url, "-q", "-v", "ON_ERROR_STOP=1"], input=";\n".join(statements) + ";", text=True, check=True)
    else:
        with sqlite3.connect(os.path.join(srv.var, "bangfu.sqlite")) as db:
            for s in statements:
                db.execute(s)


def setup_units(srv, database_url, cs):
    """20,000 units across the counties (half budget units with canteens, each declaring its canteen's agri purchases),
    the demo office moved up to the province, and the 云南 832 rule adopted for the year."""
    values = ",".join(f"('单位{i:05d}', 'publicInstitution', '{cs[i % len(cs)]}', {'TRUE' if i % 2 == 0 else 'FALSE'}, "
                      f"{'TRUE' if i % 2 == 0 else 'FALSE'}, FALSE)" for i in range(UNITS))
    sql(srv, database_url, [
        "INSERT INTO buyer_units (name, kind, region_code, is_budget_unit, has_canteen, has_five_into_duty) VALUES " + values,
        f"UPDATE users SET region_code = '{PROVINCE}0000000000' WHERE username = 'yunyang.office'",
        "INSERT INTO declarations (buyer_unit_id, buyer_region_code, year, kind, value, declared_by) "
        "SELECT id, region_code, 2026, 'canteenAgri', 2000000 + (id % 50) * 100000, 'bench' FROM buyer_units WHERE name LIKE '单位%'",
    ])


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return {k: int(v.split()[0]) for k, v in (line.split(":", 1) for line in f) if k in ("VmRSS", "VmHWM")}


def baseline(database_url, path, var):
    t = time.perf_counter()
    if database_url:
        subprocess.run(["psql", database_url, "-q", "-c", "DROP TABLE IF EXISTS bare; CREATE TABLE bare (order_id text, buyer text, "
                        "day text, origin text, seller text, variety text, quantity text, amount text)"], check=True)
        t = time.perf_counter()
        subprocess.run(["psql", database_url, "-q", "-c", f"\\copy bare FROM '{path}' CSV HEADER"], check=True)
    else:
        subprocess.run(["sqlite3", os.path.join(var, "bare.sqlite"), ".import --csv " + path + " bare"], check=True)
    return time.perf_counter() - t


def floor(srv, database_url, after_id):
    """The database alone writing the file's rows again: from its own ledger (rows past `after_id`) into a copy of the
    ledger's table, each in one transaction: bare, with the ledger's indexes, and with its indexes and foreign keys
    (the ledger as it is). No import path that keeps the ledger's rows, indexes and foreign keys can be faster than
    the last; none counts parsing, checks or rollups."""
    seconds = {}
    if database_url:
        fks = subprocess.run(["psql", database_url, "-qtA", "-c", "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                              "WHERE conrelid = 'purchases'::regclass AND contype = 'f'"], check=True, capture_output=True, text=True).stdout.split("\n")
        for name, like, extra in [("floor_bare", "LIKE purchases", []), ("floor_indexed", "LIKE purchases INCLUDING INDEXES", []),
                                  ("floor_full", "LIKE purchases INCLUDING INDEXES", [f for f in fks if f])]:
            ddl = f"DROP TABLE IF EXISTS {name}; CREATE TABLE {name} ({like}); " + "".join(f"ALTER TABLE {name} ADD {fk}; " for fk in extra)
            subprocess.run(["psql", database_url, "-q", "-c", ddl], check=True, env=dict(os.environ, PGOPTIONS="-c client_min_messages=warning"))
            t = time.perf_counter()
            subprocess.run(["psql", database_url, "-q", "-c", f"INSERT INTO {name} SELECT * FROM purchases WHERE id > {after_id}"], check=True)
            seconds[name] = time.perf_counter() - t
            subprocess.run(["psql", database_url, "-q", "-c", f"DROP TABLE {name}"], check=True)
        return seconds
    db = sqlite3.connect(os.path.join(srv.var, "bangfu.sqlite"), isolation_level=None)
    table = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'purchases'").fetchone()[0]
    indexes = [r[0] for r in db.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'purchases' AND sql IS NOT NULL")]
    db.execute("PRAGMA cache_size = -262144")     # as the import's own connection
    for name in ["floor_bare", "floor_indexed", "floor_full"]:
        db.execute(f"PRAGMA foreign_keys = {'ON' if name == 'floor_full' else 'OFF'}")
        if name == "floor_full":     # the ledger's own table: its unique constraint and foreign keys
            db.execute(table.replace('"purchases"', f'"{name}"', 1).replace("uq:purchases", f"uq:{name}"))
        else:
            db.execute(f"CREATE TABLE {name} AS SELECT * FROM purchases WHERE 0")
        if name == "floor_indexed":
            db.execute(f"CREATE UNIQUE INDEX {name}_ref ON {name} (source, source_ref)")
        if name != "floor_bare":
            for ddl in indexes:
                db.execute(ddl.replace('"purchases_', f'"{name}_').replace('ON "purchases"', f'ON "{name}"'))
        t = time.perf_counter()
        db.execute("BEGIN")
        db.execute(f"INSERT INTO {name} SELECT * FROM purchases WHERE id > {after_id}")
        db.execute("COMMIT")
        seconds[name] = time.perf_counter() - t
        db.execute(f"DROP TABLE {name}")
    db.close()
    return seconds


def max_id(srv, database_url):
    if database_url:
        out = subprocess.run(["psql", database_url, "-qtA", "-c", "SELECT COALESCE(MAX(id), 0) FROM purchases"], check=True, capture_output=True, text=True)
        return int(out.stdout.strip())
    with sqlite3.connect(os.path.join(srv.var, "bangfu.sqlite")) as db:
        return db.execute("SELECT COALESCE(MAX(id), 0) FROM purchases").fetchone()[0]


def duck_totals(path):
    return duckdb.sql(f"SELECT substr(下单日期, 1, 7) AS m, sum(CAST(replace(订单金额, '元', '') AS DECIMAL(18, 2))) "
                      f"FROM read_csv({path}, all_varchar = true) GROUP BY m ORDER BY m").fetchall()


def duck_bulletin(path, units_csv, towns_csv):
    """What the bulletin computes, from the raw CSV: year and quarter totals, deep-poverty share, every unit's
    completion of its 832 share ranked, counties ranked."""
    q = f"""
        WITH l AS (SELECT 采购单位 AS unit, 下单日期 AS day, substr(产地, 1, 9) || '000' AS town,
                          CAST(replace(订单金额, '元', '') AS DECIMAL(18, 2)) AS yuan
                   FROM read_csv({path}, all_varchar = true) WHERE 下单日期 <= '2026-09-30'),
             u AS (SELECT * FROM read_csv('{units_csv}')),
             t AS (SELECT * FROM read_csv('{towns_csv}', all_varchar = true)),
             per AS (SELECT u.name, u.county, u.base, coalesce(sum(l.yuan), 0) AS spent
                     FROM u LEFT JOIN l ON l.unit = u.name GROUP BY ALL),
             ranked AS (SELECT *, least(1, spent / (base * 0.1)) AS done, rank() OVER (ORDER BY least(1, spent / (base * 0.1)) DESC) AS r FROM per)
        SELECT (SELECT sum(yuan) FROM l), (SELECT sum(yuan) FROM l WHERE day >= '2026-07-01'),
               (SELECT sum(yuan) FROM l JOIN t ON l.town = t.code WHERE t.deep),
               (SELECT count(*) FROM ranked WHERE r <= 20),
               (SELECT count(*) FROM (SELECT county, avg(done) FROM ranked GROUP BY county ORDER BY 2 DESC))
        """
    return duckdb.sql(q).fetchall()


def bench(label, database_url, rows, more):
    var = tempfile.mkdtemp(prefix="bangfu-ledger-bench-")
    data = os.path.join(ROOT, "bench/data")
    os.makedirs(data, exist_ok=True)
    try:
        cs = counties()
        towns, villages = places(cs)
        srv = Server(var, database_url)
        srv.env["BANGFU_TODAY"] = "2026-11-23"
        regions = os.path.join(var, "places.csv")
        write_regions(regions, towns, villages)
        srv.start()
        srv.stop()
        srv.run("import-regions", regions)
        setup_units(srv, database_url, cs)
        units_csv, towns_csv = os.path.join(var, "units.csv"), os.path.join(var, "towns.csv")
        with open(units_csv, "w") as f:
            f.write("name,county,base\n" + "".join(f"单位{i:05d},{cs[i % len(cs)]},{20000 + (i + 1) % 50 * 1000}\n" for i in range(0, UNITS, 2)))
        with open(towns_csv, "w") as f:
            f.write("code,deep\n" + "".join(f"{t},{'true' if i % 10 == 0 else 'false'}\n" for i, t in enumerate(towns)))
        srv.start()
        api = {"Authorization": "Bearer " + srv.token("yunyang.office")}
        assert requests.post(srv.base + "/api/v1/policies", json={"preset": "yunnan2022", "year": 2026}, headers=api).status_code == 201
        print(f"\n### {label}\n")
        total = 0
        for n, prefix, seed in [(rows, "A", 1), (more, "B", 2)]:
            if not n:
                continue
            path = os.path.join(data, f"ledger-v2-{prefix}-{n}.csv")
            if not os.path.exists(path):
                write_ledger(path, n, villages, prefix, seed)
            size = os.path.getsize(path) / 2**20
            base_s = baseline(database_url, path, var)
            before, first = rss_kb(srv.proc.pid), max_id(srv, database_url)
            t = time.perf_counter()
            with open(path, "rb") as f:
                r = requests.post(srv.base + "/api/v1/purchases/import?platform=p832", data=f, headers=dict(api, **{"Content-Type": "text/csv"}), timeout=36000)
            import_s = time.perf_counter() - t
            assert r.ok and r.json()["created"] == n, r.text[:500]
            after = rss_kb(srv.proc.pid)
            total += n
            copy = "psql \\copy" if database_url else "sqlite3 .import"
            print(f"- **{total:,} rows**: import of {n:,} rows ({size:,.0f} MiB) through `POST /api/v1/purchases/import`: "
                  f"**{import_s:,.1f} s, {n / import_s:,.0f} rows/s**; {copy} of the same file "
                  f"into a bare table: {base_s:,.1f} s, {n / base_s:,.0f} rows/s (ours **{base_s / import_s:.3f}×** of it); "
                  f"server RSS {before['VmRSS'] // 1024} MiB before, peak {after['VmHWM'] // 1024} MiB")
            fl = floor(srv, database_url, first)
            print(f"  - the database alone copying the same {n:,} rows from its ledger into a copy of the ledger's table: "
                  f"bare {fl['floor_bare']:,.1f} s ({base_s / fl['floor_bare']:.2f}× of the bare load), with the ledger's indexes "
                  f"{fl['floor_indexed']:,.1f} s ({base_s / fl['floor_indexed']:.2f}×), with its indexes and foreign keys "
                  f"{fl['floor_full']:,.1f} s ({base_s / fl['floor_full']:.2f}×)")
            tot, _ = timed(lambda: requests.get(srv.base + "/api/v1/purchases/totals?by=month", headers=api).raise_for_status(), 10)
            prog, _ = timed(lambda: requests.get(srv.base + "/api/v1/progress?year=2026&asOf=2026-09-30", headers=api).raise_for_status(), 3)
            lines = len(requests.get(srv.base + "/api/v1/progress?year=2026&asOf=2026-09-30", headers=api).json())
            bul, _ = timed(lambda: requests.post(srv.base + "/api/v1/bulletins", json={"year": 2026, "quarter": 3}, headers=api).raise_for_status(), 3)
            listing, _ = timed(lambda: requests.get(srv.base + "/api/v1/purchases", headers=api).raise_for_status(), 3)
            queue, _ = timed(lambda: requests.get(srv.base + "/api/v1/purchases?awaiting=1", headers=api).raise_for_status(), 3)
            files = [os.path.join(data, f"ledger-v2-{p}-{m}.csv") for m, p in [(rows, "A"), (more, "B")] if m][: 1 if total == rows else 2]
            source = "[" + ", ".join(f"'{x}'" for x in files) + "]"
            dt, _ = timed(lambda: duck_totals(source), 3)
            db_, _ = timed(lambda: duck_bulletin(source, units_csv, towns_csv), 3)
            print(f"  - dashboard totals by month (`GET /api/v1/purchases/totals`, province office): **{tot:,.0f} ms** p50; "
                  f"DuckDB on the raw CSV: {dt:,.0f} ms")
            print(f"  - every bound unit's progress ({lines:,} lines, `GET /api/v1/progress`): **{prog:,.0f} ms**")
            print(f"  - the Q3 bulletin built and published (`POST /api/v1/bulletins`): **{bul:,.0f} ms**; "
                  f"DuckDB computing its totals and rankings from the raw CSV: {db_:,.0f} ms")
            print(f"  - the ledger list (`GET /api/v1/purchases`, the 500 rows entered last): **{listing:,.0f} ms**; "
                  f"the verification queue (`?awaiting=1`): **{queue:,.0f} ms**")
        srv.stop()
    finally:
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--more", type=int, default=0)
    a = ap.parse_args()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; binary {os.path.relpath(BIN, ROOT)}; "
          f"DuckDB {duckdb.__version__}")
    bench("SQLite (WAL)", "", a.rows, a.more)
    if os.environ.get("BENCH_DATABASE_URL"):
        bench("PostgreSQL", os.environ["BENCH_DATABASE_URL"], a.rows, a.more)
