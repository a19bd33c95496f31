"""Ledger anomaly flags at province scale: the scan that follows an import against a scan of the whole ledger, in
the same run (issue 15: "anomaly rules over 10M rows: incremental per import, never a full rescan per write").

The ledger is `reconciliation_bench.py`'s generated 云南 quarter (N rows, written straight into the database). Timed
with `bangfu scan-flags` (the scan every import schedules, run as a command, process start included):

- **whole ledger**: the scan's mark at 0, so every row is new — what a rescan of everything costs;
- **after an import**: the mark moved back by the last `--more` rows (10,000), as after an import of that many —
  the months of their varieties and the year of their buyers and sellers in their counties are read, nothing else.

    .venv-test/bin/python bench/flags_bench.py [--rows 1000000] [--more 10000] [--db sqlite|postgres|both]
"""
import argparse
import os
import shutil
import tempfile
import time

from catalogue_bench import Server
from reconciliation_bench import TODAY, Province, generate, postgres_database, prepare


def scan(srv):
    t = time.perf_counter()
    srv.run("scan-flags")
    return time.perf_counter() - t


def bench(label, url, province, base, more):
    srv = Server(tempfile.mkdtemp(prefix="bangfu-flags-bench-"), url)
    srv.env["BANGFU_TODAY"] = TODAY
    store = None
    try:
        store, _ = prepare(srv, url, province, base)
        store.db.execute(store.mark("UPDATE flag_scan_marks SET last_purchase_id = 0"))
        whole = scan(srv)
        flags = store.all("SELECT COUNT(*) FROM ledger_flags")[0][0]
        back = "UPDATE flag_scan_marks SET last_purchase_id = (SELECT MAX(id) FROM purchases) - ?"
        store.db.execute(store.mark(back), (more,))
        after = scan(srv)
        return label, whole, after, flags
    finally:
        if store:
            store.db.close()
        shutil.rmtree(srv.var, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--more", type=int, default=10_000)
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    a = ap.parse_args()
    folder = tempfile.mkdtemp(prefix="bangfu-flags-data-")
    try:
        province = Province(3_000)
        base, _, more = generate(folder, province, a.rows, a.more)
        results = []
        if a.db in ("sqlite", "both"):
            results.append(bench("SQLite (WAL)", "", province, base, a.more))
        if a.db in ("postgres", "both"):
            with postgres_database() as url:
                results.append(bench("PostgreSQL", url, province, base, a.more))
        print(f"\n### Ledger flags: {a.rows:,} rows, a scan of the whole ledger against the scan after {a.more:,}\n")
        print("| database | whole ledger s | after an import s | share | flags |")
        print("|---|---|---|---|---|")
        for label, whole, after, flags in results:
            print(f"| {label} | {whole:.1f} | {after:.1f} | {after / whole:.1%} | {flags:,} |")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
