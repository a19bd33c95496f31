"""Memory of one app server as its ledger grows (issue 18): is the soak's RSS growth a leak or the largest export?

    .venv-test/bin/python -u bench/export_memory.py [--postgres] [--rounds 4] [--rows 10000] [--repeat 10]
    (BANGFU_BIN: a release build)

One server with the demo data, on SQLite or on a throw-away PostgreSQL. Each round imports `--rows` platform orders (files of 2,000, as jobs,
followed to their end), then exports the whole 附件3 as CSV `--repeat` times and reads the progress dashboard as
often; RSS is read after the import and after every export, as the heap's part (RssAnon) and mapped files' (RssFile:
SQLite's database file, mapped by each connection and shared with the OS cache). A leak grows within a round at fixed
data; a high-water mark grows only between rounds, with the rows each export holds. The last reading of a round
follows `--settle` idle seconds (past the server's 30-second heap trim).
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ops"))
from conftest import AppServer, Postgres, api_session, sign_in  # noqa: E402

HEADER = "订单号,采购单位,下单日期,产地,供应商,商品名称,数量,订单金额\n"


def rss_mib(server):
    """(heap, mapped files) resident, MiB."""
    with open(f"/proc/{server.proc.pid}/status") as f:
        fields = dict(line.split(":", 1) for line in f)
    return tuple(round(int(fields[k].split()[0]) / 1024) for k in ("RssAnon", "RssFile"))


def import_orders(server, api, tag, rows):
    for start in range(0, rows, 2_000):
        lines = [f"MEM-{tag}-{start + i},云阳县人民医院,2026-10-{1 + i % 28:02d},500235105201,户{i},土豆,"
                 f"{1 + i % 9}斤,{50 + i % 400}元\n" for i in range(min(2_000, rows - start))]
        r = api.post(server.base + "/api/v1/purchases/import?platform=p832&async=1",
                     data=(HEADER + "".join(lines)).encode(), headers={"Content-Type": "text/csv"}, timeout=120)
        assert r.status_code == 202, r.text
        state = r.json()
        while state["state"] in ("queued", "running"):
            time.sleep(0.3)
            state = api.get(server.base + f"/api/v1/imports/{state['id']}", timeout=30).json()
        assert state["state"] == "done", state


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--settle", type=float, default=31, help="seconds idle before the round's last reading")
    args = parser.parse_args()
    pg = Postgres().start() if args.postgres else None
    server = AppServer("memory", pg.url() if pg else "", demo=True, lease=30).start()
    try:
        api = api_session(server.base, "yunyang.office")
        office = sign_in(server.base, "yunyang.office")
        print(json.dumps({"database": "postgresql" if pg else "sqlite", "start_rss_mib": rss_mib(server)}), flush=True)
        for n in range(1, args.rounds + 1):
            import_orders(server, api, n, args.rows)
            after_import = rss_mib(server)
            rss, seconds, size = [], [], 0
            for _ in range(args.repeat):
                started = time.perf_counter()
                r = api.get(server.base + "/api/v1/purchases/sheets?form=3&format=csv", timeout=300)
                assert r.status_code == 200, r.status_code
                seconds.append(time.perf_counter() - started)
                size = len(r.content)
                assert office.get(server.base + "/progress", timeout=60).status_code == 200
                rss.append(rss_mib(server))
            time.sleep(args.settle)
            print(json.dumps({
                "round": n, "imported_rows": n * args.rows, "export_lines": r.text.count("\n"),
                "export_kib": size // 1024, "export_s_median": round(statistics.median(seconds), 2),
                "rss_mib_after_import": after_import,
                "rss_mib_after_each_export": rss,
                "rss_mib_idle_after": rss_mib(server),
            }), flush=True)
    finally:
        server.stop()
        if pg:
            pg.stop()


if __name__ == "__main__":
    main()
