"""`bangfu backup` while entries keep arriving, `bangfu restore` into an empty database, on SQLite and PostgreSQL:
the copy is one instant of the live data — every row and audit line in it is the live one, its counts lie between
before and after the backup, its totals agree with its rollups — and a server starts on it."""
import os
import sqlite3
import tempfile
import threading
import time

import pytest
import requests

from conftest import AppServer, api_session

TABLES = ("purchases", "audit_entries", "offers", "attachments")


class Writer(threading.Thread):
    """Books ledger entries through the API, one after another, until stopped."""

    def __init__(self, base, api):
        super().__init__(daemon=True)
        self.base, self.api, self.stop, self.written = base, api, threading.Event(), 0
        self.template = api.get(base + "/api/v1/purchases?limit=1").json()[0]

    def run(self):
        while not self.stop.is_set():
            t = self.template
            body = {"buyerUnitId": t["buyerUnitId"], "purchasedOn": "2026-11-20", "originRegionCode": t["originRegionCode"],
                    "seller": f"备份测试{self.written}", "variety": "土豆", "quantity": "10斤",
                    "amount": f"{20 + self.written % 50}元", "purpose": "canteen", "channel": t["channel"]}
            r = self.api.post(self.base + "/api/v1/purchases", json=body, timeout=30)
            assert r.status_code == 201, r.text[:300]
            self.written += 1


class SQLiteSide:
    def __init__(self):
        self.server = AppServer("backup-sqlite", demo=True)

    def rows(self, server, table):
        with sqlite3.connect(os.path.join(server.var, "bangfu.sqlite")) as c:
            c.row_factory = sqlite3.Row
            return {r["id"]: tuple(r) for r in c.execute(f"SELECT * FROM {table}")}

    def scalar(self, server, sql):
        with sqlite3.connect(os.path.join(server.var, "bangfu.sqlite")) as c:
            return c.execute(sql).fetchone()[0]

    def target(self):
        return AppServer("restored-sqlite")


class PostgresSide:
    def __init__(self, pg):
        self.pg = pg
        pg.create("backup_live")
        pg.create("backup_restored")
        self.server = AppServer("backup-pg", pg.url("backup_live"), demo=True)

    def database(self, server):
        return "backup_live" if server is self.server else "backup_restored"

    def rows(self, server, table):
        with self.pg.connect(self.database(server)) as c:
            return {r[0]: tuple(r) for r in c.execute(f"SELECT * FROM {table}")}

    def scalar(self, server, sql):
        with self.pg.connect(self.database(server)) as c:
            return c.execute(sql).fetchone()[0]

    def target(self):
        return AppServer("restored-pg", self.pg.url("backup_restored"))


@pytest.fixture(params=["sqlite", "postgres"])
def side(request):
    s = SQLiteSide() if request.param == "sqlite" else PostgresSide(request.getfixturevalue("postgres"))
    yield s
    s.server.stop()


def totals(side, server):
    """Ledger and rollup totals, which every write moves together."""
    raw = side.scalar(server, "SELECT COALESCE(SUM(amount_fen), 0) FROM purchases")
    rolled = side.scalar(server, "SELECT COALESCE(SUM(amount_fen), 0) FROM purchase_rollups")
    return raw, rolled


def test_a_backup_taken_under_writes_restores_to_one_consistent_instant(side):
    live = side.server.start()
    writer = Writer(live.base, api_session(live.base, "yunyang.office"))
    gap_before = totals(side, live)
    writer.start()
    time.sleep(2)
    before = {t: len(side.rows(live, t)) for t in TABLES}
    folder = os.path.join(tempfile.mkdtemp(), "backup")
    taken = live.command("backup", "--to", folder)
    assert taken.returncode == 0, taken.stderr + taken.stdout
    after = {t: len(side.rows(live, t)) for t in TABLES}
    time.sleep(1)
    writer.stop.set()
    writer.join(30)
    assert after["purchases"] > before["purchases"], "entries were being written during the backup"

    target = side.target()
    started = time.monotonic()
    restored = target.command("restore", "--from", folder)
    assert restored.returncode == 0, restored.stderr + restored.stdout
    target.start()
    recovery = time.monotonic() - started
    try:
        for table in TABLES:
            copy, now = side.rows(target, table), side.rows(live, table)
            assert before[table] <= len(copy) <= after[table], table
            assert all(now[i] == row for i, row in copy.items()), f"{table}: every restored row is the live one"
        raw, rolled = totals(side, target)
        assert raw - rolled == gap_before[0] - gap_before[1], "the copy's rollups agree with its ledger"
        assert requests.get(target.base + "/readyz").json()["status"] == "ok"
        api = api_session(target.base, "yunyang.office")
        assert len(api.get(target.base + "/api/v1/purchases?limit=5").json()) == 5
        print(f"restore and start: {recovery:.1f} s")
    finally:
        target.stop()

    again = target.command("restore", "--from", folder) if isinstance(side, PostgresSide) else None
    if again is not None:
        assert again.returncode != 0 and "空库" in again.stderr + again.stdout, "never restored over data"
