"""The catalogue's 附件1 import at province scale (issue 17): N offers through `POST /api/v1/offers/import` (the one
batched path the pages use too), against the database loading the same rows into a bare table (`sqlite3 .import`,
`psql \\copy`) in the same run; then the re-import of 100,000 unchanged lines, and the ledger's import of as many rows
(`POST /api/v1/purchases/import`, `ledger_bench.write_ledger`'s rows for 20,000 units of the county) on the same
server, for the comparison the issue asks.

    .venv-test/bin/python bench/catalogue_import_bench.py [--offers 100000 1000000] [--per-file 50000] [--db both]

Per database, a fresh server: the demo's 云阳县 with 2,000 villages; the files are `catalogue_bench.sheets` (every row
a distinct household's variety; full validation, place names resolved, sealing, search terms, one audit entry a
file). The server's peak RSS over the import is its VmHWM (reset before through /proc/<pid>/clear_refs).
"""
import argparse
import contextlib
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time

import requests

from catalogue_bench import HEADER, Server, sheets, villages, write_regions
from ledger_bench import UNITS, rss_kb, sql, write_ledger
from reconciliation_bench import postgres_database


def bare(url, files, var):
    """The same rows (without the form's title lines) loaded into a bare table of text columns: seconds."""
    path = os.path.join(var, "bare.csv")
    with open(path, "w", encoding="utf-8", newline="") as out:
        w = csv.writer(out)
        w.writerow([f"c{i}" for i in range(len(HEADER))])
        for data in files:
            rows = list(csv.reader(data.decode("utf-8").splitlines()))
            w.writerows(rows[3:])
    if url:
        cols = ", ".join(f"c{i} text" for i in range(len(HEADER)))
        subprocess.run(["psql", url, "-q", "-c", f"DROP TABLE IF EXISTS bare; CREATE TABLE bare ({cols})"], check=True)
        t = time.perf_counter()
        subprocess.run(["psql", url, "-q", "-c", f"\\copy bare FROM '{path}' CSV HEADER"], check=True)
        return time.perf_counter() - t
    t = time.perf_counter()
    subprocess.run(["sqlite3", os.path.join(var, "bare.sqlite"), ".import --csv " + path + " bare"], check=True)
    return time.perf_counter() - t


def ledger_rate(srv, url, rows, api, var):
    """The ledger's import of `rows` rows on the same server: rows/s."""
    units = ",".join(f"('单位{i:05d}', 'publicInstitution', '500235000000', TRUE, TRUE, FALSE)" for i in range(UNITS))
    sql(srv, url, ["INSERT INTO buyer_units (name, kind, region_code, is_budget_unit, has_canteen, "
                   "has_five_into_duty) VALUES " + units])
    path = os.path.join(var, "ledger.csv")
    write_ledger(path, rows, [code for code, _ in villages()], "L", 3)
    t = time.perf_counter()
    with open(path, "rb") as f:
        r = requests.post(srv.base + "/api/v1/purchases/import?platform=p832", data=f, timeout=7200,
                          headers=dict(api, **{"Content-Type": "text/csv"}))
    assert r.ok and r.json()["created"] == rows, r.text[:500]
    return rows / (time.perf_counter() - t)


def bench(label, url, offers, per_file):
    var = tempfile.mkdtemp(prefix="bangfu-catalogue-import-")
    srv = Server(var, url)
    try:
        regions = os.path.join(var, "villages.csv")
        write_regions(regions)
        srv.start()
        srv.stop()
        srv.run("import-regions", regions)
        srv.start()
        api = {"Authorization": "Bearer " + srv.token("yunyang.office"), "Content-Type": "text/csv"}
        files = sheets(offers, per_file)
        with contextlib.suppress(OSError):
            with open(f"/proc/{srv.proc.pid}/clear_refs", "w") as f:
                f.write("5")
        t = time.perf_counter()
        for data in files:
            r = requests.post(srv.base + "/api/v1/offers/import", data=data, headers=api, timeout=7200)
            assert r.ok and r.json()["created"] == len(data.splitlines()) - 3, r.text[:500]
        seconds = time.perf_counter() - t
        peak = rss_kb(srv.proc.pid)["VmHWM"] / 1024
        # The unchanged 100,000-line file, sent as the files that hold its lines (a request is held to
        # 10 MiB); at a million offers, the first of them, so that the time shows it stays flat.
        again_files = files[:max(1, 100_000 // per_file)]
        t = time.perf_counter()
        for data in again_files:
            r = requests.post(srv.base + "/api/v1/offers/import", data=data, headers=api, timeout=7200)
            assert r.ok and r.json()["created"] == 0 and r.json()["updated"] == 0, r.text[:300]
        again = time.perf_counter() - t
        ledger = ledger_rate(srv, url, offers, {"Authorization": api["Authorization"]}, var)
        srv.stop()
        return {"label": label, "offers": offers, "files": len(files), "seconds": seconds, "peak": peak,
                "again": again, "again_rows": sum(len(f.splitlines()) - 3 for f in again_files), "bare": bare(url, files, var),
                "ledger": ledger}
    finally:
        if getattr(srv, "proc", None) and srv.proc.poll() is None:
            srv.proc.kill()
            srv.proc.wait()
        shutil.rmtree(var, ignore_errors=True)


def postgres_bench(n, per_file):
    with postgres_database() as url:
        return bench("PostgreSQL", url, n, per_file)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--offers", type=int, nargs="+", default=[100_000, 1_000_000])
    # A request body is held to 10 MiB: 50,000 lines of 附件1 (a province's month comes as several files).
    ap.add_argument("--per-file", type=int, default=50_000)
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    a = ap.parse_args()
    print("\n### 附件1 import (issue 17)\n")
    print("| database | offers | files | import s | rows/s | ledger's import rows/s | ÷ ledger | bare load rows/s | "
          "share of bare | peak RSS MiB | re-import of unchanged lines s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for n in a.offers:
        runs = []
        if a.db in ("sqlite", "both"):
            runs.append(lambda: bench("SQLite (WAL)", "", n, min(n, a.per_file)))
        if a.db in ("postgres", "both"):
            runs.append(lambda: postgres_bench(n, min(n, a.per_file)))
        for run in runs:
            r = run()
            rate = r["offers"] / r["seconds"]
            print(f"| {r['label']} | {r['offers']:,} | {r['files']} | {r['seconds']:.1f} | **{rate:,.0f}** | "
                  f"{r['ledger']:,.0f} | {rate / r['ledger']:.2f} | {r['offers'] / r['bare']:,.0f} | "
                  f"{r['bare'] / r['seconds']:.2f} | {r['peak']:,.0f} | {r['again']:.2f} ({r['again_rows']:,} rows) |")
            sys.stdout.flush()

if __name__ == "__main__":
    main()
