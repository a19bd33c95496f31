"""Issue 12, item 4: the site under load while a large import runs on SQLite. wrk puts 32 connections for 60 s on
the public catalogue (16) and a signed-in dashboard (16) while a 200,000-row 832 export is imported through
`POST /api/v1/purchases/import`; the import must finish and every response must be 2xx. The same load without
an import runs first, in the same run, as the comparison.

    .venv-test/bin/python bench/load_during_import.py [--rows 200000] [--seconds 60]
"""
import argparse
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("BANGFU_BIN", os.path.join(ROOT, ".build/release/bangfu"))
PASSWORD = "Bangfu2026demo"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server():
    var = tempfile.mkdtemp(prefix="bangfu-load-")
    port = free_port()
    env = dict(os.environ, BANGFU_VAR_DIR=var, BANGFU_DEMO="1", DATABASE_URL="", BANGFU_TODAY="2026-11-23")
    log = open(os.path.join(var, "server.log"), "w")
    proc = subprocess.Popen([BIN, "serve", "--hostname", "127.0.0.1", "--port", str(port), "--log", "warning"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if requests.get(base + "/healthz", timeout=1).status_code == 200:
                return proc, base, var
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.1)  # a starting SQLite server answers 503 while it reads its database
    raise RuntimeError("server did not start")


def signed_in(base, username):
    s = requests.Session()
    token = re.search(r'name="_csrf" value="([^"]+)"', s.get(base + "/login").text).group(1)
    s.post(base + "/login", data={"username": username, "password": PASSWORD, "_csrf": token})
    return s


def api_session(base, username):
    s = signed_in(base, username)
    token = re.search(r'name="_csrf" value="([^"]+)"', s.get(base + "/account/tokens").text).group(1)
    page = s.post(base + "/account/tokens", data={"name": "load", "_csrf": token}).text
    api = requests.Session()
    api.headers["Authorization"] = "Bearer " + re.search(r'id="new-token"[^>]*>([^<]+)<', page).group(1).strip()
    return api


def write_export(path, rows, prefix):
    with open(path, "w", encoding="utf-8") as f:
        f.write("订单号,采购单位,下单日期,产地,供应商,商品名称,数量,订单金额\n")
        for i in range(rows):
            f.write(f"{prefix}-{i},云阳县人民医院,2026-10-{1 + i % 28:02d},500235105201,户{i % 5000},土豆,{1 + i % 9}斤,{50 + i % 400}元\n")


def wrk(url, connections, seconds, cookie=None):
    # A response slower than 10 s counts as a failure (wrk's "timeout"), not as a slow success.
    cmd = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s", "--latency", url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)


def start_load(base, cookie, seconds):
    return {"catalogue": wrk(base + "/catalogue", 16, seconds), "dashboard": wrk(base + "/", 16, seconds, cookie)}


def finish_load(load):
    return {name: summary(proc.communicate()[0]) for name, proc in load.items()}


def run_load(base, cookie, seconds):
    return finish_load(start_load(base, cookie, seconds))


def summary(output):
    reqs = re.search(r"(\d+) requests in", output).group(1)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)
    rate = re.search(r"Requests/sec:\s+(\S+)", output).group(1)
    return {"requests": int(reqs), "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(1) if errors else "none", "p99": p99, "rps": rate}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--seconds", type=int, default=60)
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    proc, base, var = start_server()
    try:
        alone, export = os.path.join(var, "832-alone.csv"), os.path.join(var, "832.csv")
        write_export(alone, args.rows, "A")
        write_export(export, args.rows, "L")
        api = api_session(base, "yunyang.office")
        began = time.time()
        with open(alone, "rb") as f:
            quiet = api.post(base + "/api/v1/purchases/import?platform=p832", data=f, headers={"Content-Type": "text/csv"})
        assert quiet.status_code == 200, quiet.text[:300]
        alone_in = time.time() - began
        office = signed_in(base, "yunyang.office")
        cookie = "; ".join(f"{c.name}={c.value}" for c in office.cookies)
        baseline = run_load(base, cookie, args.seconds)
        with open(export, "rb") as f:
            started = api.post(base + "/api/v1/purchases/import?platform=p832&async=1", data=f,
                               headers={"Content-Type": "text/csv"})
        assert started.status_code == 202, started.text
        job, began = started.json()["id"], time.time()
        load = start_load(base, cookie, args.seconds)
        state = "running"
        while state == "running":
            time.sleep(1)
            status = api.get(base + f"/api/v1/imports/{job}").json()
            state = status["state"]
        imported_in = time.time() - began
        results = finish_load(load)
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores; binary {os.path.relpath(BIN, ROOT)}")
        print(f"import of {args.rows:,} rows with no other traffic: {alone_in:.1f} s")
        print(f"import of {args.rows:,} rows under the load: {state} in {imported_in:.1f} s ({status.get('message') or 'no message'})")
        for phase, figures in (("without import", baseline), ("during import", results)):
            for name, r in figures.items():
                print(f"{phase:>15} {name}: {r['requests']:,} requests, {r['rps']}/s, p99 {r['p99']}, "
                      f"non-2xx {r['non2xx']}, socket errors {r['socket_errors']}")
        every = list(results.values()) + list(baseline.values())
        ok = state == "done" and all(r["non2xx"] == 0 and r["socket_errors"] in ("none", "connect 0, read 0, write 0, timeout 0")
                                     for r in every)
        print("PASS" if ok else "FAIL")
        sys.exit(0 if ok else 1)
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
