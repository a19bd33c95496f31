"""The weekly price-warning run at province scale (issue 16), against DuckDB computing the same rules from the same
CSVs in the same run.

A province's monitored prices: 200 products × 160 townships' weekly 地头价 and 200 × 10 markets' wholesale
series for three years (5.3M points; the issue's 44M — every township of 云南 — is beyond these machines), beside
the 1M-row ledger of `reconciliation_bench.py`. One new week arrives (34,000 points, 1% of them 40% below the week
before); `bangfu judge-prices` (the weekly run as cron runs it, process start included) derives the week's 成交价
from the ledger and judges every series week not judged yet: the same-period baseline (median of the same week ±1
of three earlier years), two weeks in a row 20% below it, and the robust score of the week's change among the last
13. Timed with its peak RSS (GNU time), on SQLite and on PostgreSQL; then again with one year of history instead of
three (the run must cost the week's points, not the history).

DuckDB reads the same points CSVs and computes, for the new week, every series' weekly median, baseline, the two
weeks' lowness and the change's robust score — the same rules — timed from reading the CSVs to the result, in its own
process (peak RSS its own). The two must agree: warnings raised and the sum of the baselines.

History rows are written straight into the database as judged (a neutral state, but for the series planted low
since the week before, whose state says so), so loading is not what is timed. Products are out of season in the new week, so stock is not judged here.

    .venv-test/bin/python bench/warnings_bench.py [--towns 160] [--products 200] [--years 3] [--db sqlite|postgres|both]
"""
import argparse
import csv
import datetime
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import duckdb

from catalogue_bench import BIN, ROOT, Server
from ledger_bench import write_regions
from reconciliation_bench import TODAY, VARIETIES, Province, generate, postgres_database, prepare, settle

NEW = datetime.date.fromisoformat(TODAY) - datetime.timedelta(days=datetime.date.fromisoformat(TODAY).weekday())
PRODUCT0, POINT0, NEW_POINT0 = 1_001, 1_000_001, 500_000_001
PROVINCE_OFFICE = "530000000000"
NEUTRAL = '{"level":0,"lowWeeks":0,"signalWeeks":0,"clearWeeks":1}'
POINT_COLUMNS = ["id", "product_id", "region_code", "week", "reported_on", "source", "market", "price_fen", "quoted",
                 "reporter", "outlier"]
WEEK_COLUMNS = ["id", "product_id", "region_code", "source", "week", "price_fen", "points", "baseline_fen", "level",
                "state"]


def key(monday):
    y, n, _ = monday.isocalendar()
    return y * 100 + n


def ordinal(monday):
    return monday.toordinal() // 7


def weeks_in(year):
    return datetime.date(year, 12, 28).isocalendar()[1]


def baseline_weeks(monday):
    """The same week ±1 of each of three earlier years (week 53 read as 52), as `PriceWatch.baselineWeeks`."""
    y, n, _ = monday.isocalendar()
    out = []
    for back in (1, 2, 3):
        same = datetime.date.fromisocalendar(y - back, min(n, weeks_in(y - back)), 1)
        out += [same + datetime.timedelta(weeks=d) for d in (-1, 0, 1)]
    return out


def falls(product, series):
    """1% of series fall 40% in the new week (a sharp fall); another 1% stand 30% low since the week before
    (below the baseline two weeks in a row)."""
    return (product * 7 + series) % 100 == 0, (product * 11 + series) % 100 == 50


def price(product, series, monday, new, last=False):
    """分 per 公斤: the product's level, the season's wave, a little noise, and the planted falls."""
    level = 200 + (product * 37) % 800
    wave = 1 + 0.1 * math.sin(2 * math.pi * monday.isocalendar()[1] / 52)
    noise = 1 + ((product * 31 + series * 17 + monday.toordinal()) % 7 - 3) / 100
    sharp, low = falls(product, series)
    fall = 0.6 if new and sharp else 0.7 if (new or last) and low else 1
    return int(level * wave * noise * fall)


def state(product, series, monday):
    """The state the run would have left after a history week: neutral, but for the series low since the last
    week, whose fall then was sharp (level 1, raised that week) and one week below the baseline."""
    if monday != NEW - datetime.timedelta(weeks=1) or not falls(product, series)[1]:
        return NEUTRAL
    return json.dumps({"level": 1, "lowWeeks": 1, "signalWeeks": 1, "clearWeeks": 0, "startedWeek": key(monday)},
                      separators=(",", ":"))


def series_of(province, towns):
    markets = province.counties[:10]
    return [(t, "farm", "") for t in province.towns[:towns]] + [(c, "wholesale", f"市场{i}") for i, c in enumerate(markets)]


def write_points(folder, products, series, years):
    """History (judged, neutral) and the new week (unjudged) as CSVs of both tables; the weeks' ordinals for DuckDB."""
    history = [NEW - datetime.timedelta(weeks=k) for k in range(52 * years, 0, -1)]
    paths = {name: os.path.join(folder, f"{name}.csv") for name in ["points", "weeks", "new_points", "new_weeks"]}
    files = {name: open(path, "w", encoding="utf-8", newline="") for name, path in paths.items()}
    out = {name: csv.writer(f) for name, f in files.items()}
    for name in ["points", "new_points"]:
        out[name].writerow(POINT_COLUMNS)
    for name in ["weeks", "new_weeks"]:
        out[name].writerow(WEEK_COLUMNS)
    pid = POINT0
    for monday in history + [NEW]:
        new = monday == NEW
        if new:
            count, pid = pid - POINT0, NEW_POINT0    # past what the warm-up run's derived points take
        k, day = key(monday), monday.isoformat()
        last = monday == NEW - datetime.timedelta(weeks=1)
        for p in products:
            for s, (region, source, market) in enumerate(series):
                fen = price(p, s, monday, new, last)
                out["new_points" if new else "points"].writerow(
                    [pid, p, region, k, day, source, market, fen, f"{fen / 200:.2f}元/斤", "bench", 0])
                judged = "" if new else state(p, s, monday)
                out["new_weeks" if new else "weeks"].writerow(
                    [pid, p, region, source, k, fen, 1, "", 1 if judged not in ("", NEUTRAL) else 0, judged])
                pid += 1
    for f in files.values():
        f.close()
    ordinals = os.path.join(folder, "ordinals.csv")
    with open(ordinals, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["week", "wi"])
        w.writerows([key(m), ordinal(m)] for m in history + [NEW])
    paths["ordinals"] = ordinals
    return paths, count + pid - NEW_POINT0


def load_prices(store, table, path):
    """As `load`, but an empty market stays empty (a farm price has none) and only baseline and state may be NULL."""
    nullable = {"baseline_fen", "state"}
    with open(path, encoding="utf-8", newline="") as f:
        if store.url:
            columns = f.readline().strip()
            keep = "market" if table == "price_points" else "source"
            sql = f"COPY {table} ({columns}) FROM STDIN (FORMAT csv, FORCE_NOT_NULL ({keep}))"
            with store.db.cursor() as cur, cur.copy(sql) as copy:
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
            return
        rows = csv.reader(f)
        columns = next(rows)
        empty = [c in nullable for c in columns]
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        store.db.execute("BEGIN")
        store.db.executemany(sql, ([None if v == "" and e else v for v, e in zip(r, empty)] for r in rows))
        store.db.execute("COMMIT")


def setup_products(store, products):
    rows = [(p, PROVINCE_OFFICE, name, "vegetable", "斤", 1, 6, name) for p, name in products.items()]
    store.insert("monitored_products", ["id", "jurisdiction_code", "name", "category", "unit", "season_from",
                                        "season_to", "varieties"], rows)
    settle(store, ["monitored_products"])


def judge(srv):
    """`bangfu judge-prices` under GNU time: seconds, peak RSS MiB, what it printed."""
    t = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-f", "peak %M", BIN, "judge-prices"], cwd=ROOT, env=srv.env, check=True,
                         capture_output=True, text=True)
    seconds = time.perf_counter() - t
    peak = int(out.stderr.strip().splitlines()[-1].split()[1]) / 1024
    return seconds, peak, out.stdout.strip().splitlines()[-1]


def outcome(store):
    raised, total = store.all("SELECT COUNT(*) FILTER (WHERE level > 0), SUM(baseline_fen) FROM price_weeks "
                              "WHERE week = ? AND product_id >= ?", (key(NEW), PRODUCT0))[0] if store.url else \
        store.all("SELECT SUM(level > 0), SUM(baseline_fen) FROM price_weeks WHERE week = ? AND product_id >= ?",
                  (key(NEW), PRODUCT0))[0]
    return int(raised or 0), int(total or 0)


def bench(label, url, province, ledger, products, paths):
    srv = Server(tempfile.mkdtemp(prefix="bangfu-warnings-bench-"), url)
    srv.env["BANGFU_TODAY"] = TODAY
    store = None
    try:
        store, _ = prepare(srv, url, province, ledger)
        setup_products(store, products)
        t = time.perf_counter()
        load_prices(store, "price_points", paths["points"])
        load_prices(store, "price_weeks", paths["weeks"])
        settle(store, ["price_points", "price_weeks"])
        loaded = time.perf_counter() - t
        judge(srv)         # the demo county's own weeks, judged once, out of the timing
        load_prices(store, "price_points", paths["new_points"])
        load_prices(store, "price_weeks", paths["new_weeks"])
        settle(store, ["price_points", "price_weeks"])
        seconds, peak, said = judge(srv)
        return {"label": label, "loaded": loaded, "seconds": seconds, "peak": peak, "said": said,
                "outcome": outcome(store)}
    finally:
        if store:
            store.db.close()
        shutil.rmtree(srv.var, ignore_errors=True)


DUCK_QUERY = """
CREATE TABLE s AS
    SELECT p.product_id, p.region_code, p.source, o.wi, floor(median(p.price_fen))::BIGINT AS price
    FROM read_csv([{points}], header = true, types = {{'region_code': 'VARCHAR'}}) p JOIN read_csv('{ordinals}') o
        USING (week)
    WHERE o.wi >= {oldest}
    GROUP BY ALL;
CREATE TABLE base AS
    SELECT s.product_id, s.region_code, s.source, b.target, floor(median(s.price))::BIGINT AS baseline
    FROM s JOIN (SELECT unnest({now_weeks}) AS wi, 0 AS target UNION ALL SELECT unnest({prev_weeks}), 1) b USING (wi)
    GROUP BY ALL;
CREATE TABLE low AS
    SELECT s.product_id, s.region_code, s.source, b.target,
        round((b.baseline - s.price) * 10000.0 / b.baseline) >= 2000 AS low
    FROM s JOIN base b ON s.product_id = b.product_id AND s.region_code = b.region_code AND s.source = b.source
        AND s.wi = {new} - b.target;
CREATE TABLE changes AS
    SELECT product_id, region_code, source, wi, (price - prev) * 10000.0 / prev AS change
    FROM (SELECT *, lag(price) OVER w AS prev, lag(wi) OVER w AS prev_wi FROM s WHERE wi >= {new} - 14
          WINDOW w AS (PARTITION BY product_id, region_code, source ORDER BY wi))
    WHERE prev_wi = wi - 1 AND prev > 0;
CREATE TABLE scored AS
    WITH m AS (SELECT product_id, region_code, source, count(*) AS n, median(change) AS med FROM changes GROUP BY ALL),
    d AS (SELECT c.product_id, c.region_code, c.source, median(abs(c.change - m.med)) AS mad,
                 avg(abs(c.change - m.med)) AS mean_ad
          FROM changes c JOIN m USING (product_id, region_code, source) GROUP BY ALL)
    SELECT c.product_id, c.region_code, c.source, c.change,
        CASE WHEN m.n < 5 THEN NULL WHEN d.mad > 0 THEN 0.6745 * (c.change - m.med) / d.mad
             WHEN d.mean_ad > 0 THEN (c.change - m.med) / (1.253314 * d.mean_ad) END AS score
    FROM changes c JOIN m USING (product_id, region_code, source) JOIN d USING (product_id, region_code, source)
    WHERE c.wi = {new};
CREATE TABLE result AS
    SELECT s.product_id, s.region_code, s.source, b.baseline,
        coalesce(l0.low AND l1.low, false) OR coalesce(round(x.change) < 0 AND x.score <= -3.5, false) AS raised
    FROM (SELECT * FROM s WHERE wi = {new}) s
        LEFT JOIN (SELECT * FROM base WHERE target = 0) b USING (product_id, region_code, source)
        LEFT JOIN (SELECT * FROM low WHERE target = 0) l0 USING (product_id, region_code, source)
        LEFT JOIN (SELECT * FROM low WHERE target = 1) l1 USING (product_id, region_code, source)
        LEFT JOIN scored x USING (product_id, region_code, source);
"""


def duck(points, ordinals, years):
    """In its own process: seconds, warnings raised, sum of baselines, peak RSS MiB."""
    prev = NEW - datetime.timedelta(weeks=1)
    query = DUCK_QUERY.format(points=", ".join(f"'{p}'" for p in points), ordinals=ordinals, new=ordinal(NEW),
                              oldest=ordinal(NEW) - 52 * years - 1,
                              now_weeks=[ordinal(m) for m in baseline_weeks(NEW)],
                              prev_weeks=[ordinal(m) for m in baseline_weeks(prev)])
    db = duckdb.connect()
    t = time.perf_counter()
    db.execute(query)
    raised, total = db.execute("SELECT count(*) FILTER (WHERE raised), sum(baseline) FROM result").fetchone()
    return {"seconds": time.perf_counter() - t, "raised": int(raised), "baselines": int(total or 0),
            "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "threads": os.cpu_count()}


def duck_in_process(paths, years):
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--duckdb", str(years), paths["ordinals"],
                          paths["points"], paths["new_points"]], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--towns", type=int, default=160)
    ap.add_argument("--products", type=int, default=200)
    ap.add_argument("--years", type=int, nargs="+", default=[3, 1])
    ap.add_argument("--rows", type=int, default=1_000_000, help="ledger rows beside the prices")
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--duckdb", nargs="+")
    a = ap.parse_args()
    if a.duckdb:
        print(json.dumps(duck(a.duckdb[2:], a.duckdb[1], int(a.duckdb[0]))))
        return
    folder = tempfile.mkdtemp(prefix="bangfu-warnings-data-")
    try:
        province = Province(3_000)
        ledger, _, _ = generate(folder, province, a.rows, 0)
        names = VARIETIES + [f"监测品{i:03d}" for i in range(len(VARIETIES), a.products)]
        products = {PRODUCT0 + i: names[i] for i in range(a.products)}
        series = series_of(province, a.towns)
        print(f"\n### Weekly price warnings: {a.products} products × {len(series)} series, ledger {a.rows:,} rows\n")
        print("| history | database | points | new week's points | judge-prices s | peak RSS MiB | raised | "
              "DuckDB s | DuckDB peak MiB | agree |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for years in a.years:
            paths, count = write_points(folder, list(products), series, years)
            d = duck_in_process(paths, years)
            runs = []
            if a.db in ("sqlite", "both"):
                runs.append(bench("SQLite (WAL)", "", province, ledger, products, paths))
            if a.db in ("postgres", "both"):
                with postgres_database() as url:
                    runs.append(bench("PostgreSQL", url, province, ledger, products, paths))
            week = len(products) * len(series)
            for r in runs:
                agree = r["outcome"] == (d["raised"], d["baselines"])
                print(f"| {years} years | {r['label']} | {count:,} | {week:,} | **{r['seconds']:.2f}** | "
                      f"{r['peak']:,.0f} | {r['outcome'][0]:,} | {d['seconds']:.2f} | {d['peak']:,.0f} | "
                      f"{'yes' if agree else 'NO: ' + str(r['outcome']) + ' vs ' + str((d['raised'], d['baselines']))} |")
            for r in runs:
                print(f"  - {r['label']}, {years} years: loaded in {r['loaded']:.0f} s (not timed); said: {r['said']}")
            sys.stdout.flush()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
