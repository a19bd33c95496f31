"""Catalogue benchmark: import rate of 附件1 files through the real HTTP import path, and public
search latency over N offers (default 100,000), against the real server binary on SQLite — and on
PostgreSQL when BENCH_DATABASE_URL is given. Writes a Markdown block to stdout.

    .venv-test/bin/python bench/catalogue_bench.py [--offers 100000]
"""
import argparse
import csv
import io
import os
import platform
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import tempfile
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("BANGFU_BIN", os.path.join(ROOT, ".build/release/bangfu"))
TOWNS = [105, 107, 108, 115, 116, 118, 121, 122, 123, 124, 125, 127, 128, 129, 131, 132, 133, 135, 136, 137]
VARIETIES = ["红橙", "脐橙", "柑橘", "土豆", "红薯", "腊肉", "土鸡蛋", "蜂蜜", "核桃", "香菇", "木耳", "脆李", "猕猴桃",
             "茶叶", "菜籽油", "洋芋粉条", "魔芋", "辣椒", "生姜", "大米", "玉米", "黄豆", "板栗", "天麻", "党参"]
PREFIXES = ["", "云阳", "高山", "有机", "生态", "农家", "土", "野生"]
HEADER = ["序号", "地区", "贫困户姓名", "产品品种", "计划销量", "销售价格（元）", "供货方式", "网店网址", "供货联系人及联系方式", "备注"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def villages():
    return [(f"500235{t:03d}{200 + v:03d}", f"{t}号{v}村") for t in TOWNS for v in range(1, 101)]


def write_regions(path):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["code", "name", "parent", "flags"])
        for code, name in villages():
            w.writerow([code, name, "", "示例"])


def town_names():
    return {105: "龙角镇", 107: "故陵镇", 108: "红狮镇", 115: "路阳镇", 116: "农坝镇", 118: "渠马镇", 121: "黄石镇",
            122: "巴阳镇", 123: "沙市镇", 124: "鱼泉镇", 125: "凤鸣镇", 127: "宝坪镇", 128: "南溪镇", 129: "双土镇",
            131: "江口镇", 132: "高阳镇", 133: "平安镇", 135: "云阳镇", 136: "云安镇", 137: "栖霞镇"}


def sheets(total, per_file, seed=7):
    """附件1 CSVs of per_file rows each; every row a distinct (village, household, variety)."""
    rng = random.Random(seed)
    towns = town_names()
    vs = villages()
    files, rows = [], []
    for i in range(total):
        code, vname = vs[i % len(vs)]
        town = towns[int(code[6:9])]
        variety = PREFIXES[(i // len(vs)) % len(PREFIXES)] + VARIETIES[(i // len(vs) // len(PREFIXES)) % len(VARIETIES)]
        rows.append([str(len(rows) + 1), f"云阳县{town}{vname}", f"户主{i}", variety, f"{rng.randint(10, 5000)}斤",
                     f"{rng.randint(1, 80)}元/斤", rng.choice(["电商", "送货上门", "上门自提"]), "", "李xx 17723635558", ""])
        if len(rows) == per_file or i == total - 1:
            buf = io.StringIO()
            w = csv.writer(buf)
            w.writerow(["乡镇（街道）贫困户农特产品待销目录"])
            w.writerow(["填写单位：云阳县乡村振兴局"])
            w.writerow(HEADER)
            w.writerows(rows)
            files.append(buf.getvalue().encode("utf-8"))
            rows = []
    return files


class Server:
    def __init__(self, var, database_url):
        self.var, self.port = var, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, BANGFU_VAR_DIR=var, BANGFU_DEMO="1", DATABASE_URL=database_url)

    def run(self, *args):
        subprocess.run([BIN, *args], cwd=ROOT, env=self.env, check=True, stdout=subprocess.DEVNULL)

    def start(self):
        self.proc = subprocess.Popen([BIN, "serve", "--hostname", "127.0.0.1", "--port", str(self.port)], cwd=ROOT,
                                     env=dict(self.env, LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "warning")), stdout=open(os.environ.get("BENCH_LOG", os.devnull), "a"), stderr=subprocess.STDOUT)
        for _ in range(600):
            try:
                if requests.get(self.base + "/healthz", timeout=1).ok:
                    return
            except (requests.ConnectionError, requests.Timeout):
                pass
            time.sleep(0.1)  # a starting SQLite server answers 503 while it reads its database
        raise RuntimeError("server did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)

    def token(self, username):
        s = requests.Session()
        csrf = lambda html: re.search(r'name="_csrf" value="([^"]+)"', html).group(1)
        s.post(self.base + "/login", data={"_csrf": csrf(s.get(self.base + "/login").text), "username": username,
                                           "password": "Bangfu2026demo"})
        page = s.post(self.base + "/account/tokens", data={"_csrf": csrf(s.get(self.base + "/account/tokens").text), "name": "bench"}).text
        return re.search(r'id="new-token">([^<]+)<', page).group(1)


def certify_all(database_url, sqlite_path, today):
    """Marks every offer certified directly in the database: the benchmark measures search, not the workflow."""
    sql = ("INSERT INTO product_applications (offer_id, supplier_id, region_code, product_name, documents, state, "
           "valid_from, valid_until) SELECT id, supplier_id, region_code, variety, 'bench', 'certified', '{0}', '2099-01-01' "
           "FROM offers WHERE id NOT IN (SELECT offer_id FROM product_applications)").format(today)
    if database_url:
        subprocess.run(["psql", database_url, "-q", "-c", sql], check=True)
    else:
        with sqlite3.connect(sqlite_path) as db:
            db.execute(sql)


def timed(fn, repeat):
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def bench(label, database_url, offers, per_file):
    var = tempfile.mkdtemp(prefix="bangfu-bench-")
    try:
        srv = Server(var, database_url)
        regions = os.path.join(var, "villages.csv")
        write_regions(regions)
        srv.start()   # loads the demo (county-level regions, 云阳县)
        srv.stop()
        srv.run("import-regions", regions)
        srv.start()
        api = {"Authorization": "Bearer " + srv.token("yunyang.office")}
        files = sheets(offers, per_file)
        t = time.perf_counter()
        for data in files:
            r = requests.post(srv.base + "/api/v1/offers/import", data=data, headers=dict(api, **{"Content-Type": "text/csv"}), timeout=3600)
            assert r.ok, r.text[:500]
        import_s = time.perf_counter() - t
        t = time.perf_counter()
        r = requests.post(srv.base + "/api/v1/offers/import", data=files[0], headers=dict(api, **{"Content-Type": "text/csv"}), timeout=3600)
        reimport_s = time.perf_counter() - t
        assert r.json()["unchanged"] == per_file
        certify_all(database_url, os.path.join(var, "bangfu.sqlite"), time.strftime("%Y-%m-%d"))
        results = []
        for q in ["红橙", "橙", "云阳脐橙", "土鸡蛋", "野生柑橘", "不存在的产品"]:
            params = {"q": q}
            hits = len(requests.get(srv.base + "/api/v1/catalogue", params=params).json())
            p50, p95 = timed(lambda: requests.get(srv.base + "/api/v1/catalogue", params=params).raise_for_status(), 30)
            results.append((q, hits, p50, p95))
        p50, p95 = timed(lambda: requests.get(srv.base + "/api/v1/catalogue", params={"category": "fruit", "region": "500235105000"}).raise_for_status(), 30)
        results.append(("品类=水果 + 区划=龙角镇", None, p50, p95))
        srv.stop()
        print(f"\n### {label}: {offers:,} offers\n")
        print(f"- import through `POST /api/v1/offers/import` ({len(files)} CSV files of {per_file:,} rows, full validation, "
              f"search terms and audit lines): **{import_s:.1f} s, {offers / import_s:,.0f} rows/s**")
        print(f"- re-import of one {per_file:,}-row file (no change written): {reimport_s:.2f} s\n")
        print("| public search | hits (max 50) | p50 ms | p95 ms |\n|---|---|---|---|")
        for q, hits, a, b in results:
            print(f"| {q} | {'' if hits is None else hits} | {a:.1f} | {b:.1f} |")
    finally:
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--offers", type=int, default=100_000)
    ap.add_argument("--per-file", type=int, default=10_000)
    a = ap.parse_args()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; binary {os.path.relpath(BIN, ROOT)}")
    bench("SQLite (WAL)", "", a.offers, a.per_file)
    if os.environ.get("BENCH_DATABASE_URL"):
        bench("PostgreSQL", os.environ["BENCH_DATABASE_URL"], a.offers, a.per_file)
