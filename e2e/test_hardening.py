"""Issue 12 against the real binary: hostile requests answered with 4xx, the process alive, its memory bounded."""
import io
import os
import re
import socket
import subprocess
import tempfile
import zipfile

import requests

from conftest import DEMO_PASSWORD, ROOT

# The server's peak resident memory after every hostile request below, demo data loaded: well under a
# gigabyte, where one unbounded workbook used to reach several.
RSS_BOUND_MB = 700


def form_token(html):
    return re.search(r'name="_csrf" value="([^"]+)"', html).group(1)


def signed_in(base, username):
    s = requests.Session()
    token = form_token(s.get(base + "/login").text)
    r = s.post(base + "/login", data={"username": username, "password": DEMO_PASSWORD, "_csrf": token})
    assert r.status_code == 200 and 'id="who"' in r.text, r.text[:300]
    return s


def api_token(base, username):
    s = signed_in(base, username)
    page = s.get(base + "/account/tokens").text
    r = s.post(base + "/account/tokens", data={"name": "hardening", "_csrf": form_token(page)})
    token = re.search(r'id="new-token"[^>]*>([^<]+)<', r.text).group(1)
    api = requests.Session()
    api.headers["Authorization"] = "Bearer " + token.strip()
    return api


def raw(base, payload):
    """Sends bytes as they are and returns the status line (or '' when the server closed)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(payload)
        try:
            return sock.recv(200).split(b"\r\n")[0].decode("latin-1")
        except (ConnectionResetError, socket.timeout):
            return ""


def server_pid(base):
    """The server listening on the base URL's port, found by its command line."""
    port = base.rsplit(":", 1)[1]
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            args = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
        except OSError:
            continue
        if b"serve" in args and port.encode() in args:
            return int(pid)
    raise RuntimeError("server process not found")


def peak_rss_mb(pid):
    status = open(f"/proc/{pid}/status").read()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) // 1024


def zip_bytes(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def sheet(cells):
    return ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            + cells + "</sheetData></worksheet>")


def test_a_multipart_header_with_a_non_ascii_name_is_refused_and_the_server_lives(server):
    body = b"--b\r\n\xe4\xb8\xad: x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n"
    for path in ("/login", "/complaints/new"):
        head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
        assert raw(server, head + body).startswith("HTTP/1.1 400"), path
    assert requests.get(server + "/healthz").status_code == 200


def test_hostile_workbooks_are_refused_within_the_memory_bound(server):
    api = api_token(server, "longjiao.clerk")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    bomb = zip_bytes({"xl/worksheets/sheet1.xml": sheet("<row><c><v>" + "0" * (1 << 28) + "</v></c></row>")})
    huge_ref = zip_bytes({"xl/worksheets/sheet1.xml": sheet('<row r="9223372036854775807"><c r="XFD1"><v>1</v></c></row>')})
    wide = zip_bytes({"xl/worksheets/sheet1.xml": sheet("".join(
        f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>' for r in range(1, 2000)))})
    assert len(bomb) < 2 << 20, "a gigabyte of zeros in about a megabyte"
    for name, data in (("bomb", bomb), ("huge reference", huge_ref), ("wide", wide)):
        r = api.post(server + "/api/v1/offers/import", data=data, headers={"Content-Type": xlsx})
        assert r.status_code == 422, (name, r.status_code, r.text[:200])
        assert "超出限制" in r.text, (name, r.text[:300])
    assert requests.get(server + "/healthz").status_code == 200
    assert peak_rss_mb(server_pid(server)) < RSS_BOUND_MB


def test_an_upload_declared_past_the_limit_is_refused_before_it_is_sent(server):
    api = api_token(server, "yunyang.office")
    auth = api.headers["Authorization"]
    head = ("POST /api/v1/purchases/import?platform=832 HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
            f"Authorization: {auth}\r\nContent-Length: {3 << 30}\r\nConnection: close\r\n\r\n").encode()
    assert raw(server, head + b"a,b\n").startswith("HTTP/1.1 413")


def test_create_user_reads_the_password_from_a_pipe_and_help_touches_nothing():
    var = tempfile.mkdtemp(prefix="bangfu-cli-")
    env = dict(os.environ, BANGFU_VAR_DIR=var, DATABASE_URL="", BANGFU_DEMO="1")
    binary = os.environ.get("BANGFU_BIN", str(ROOT / ".build/debug/bangfu"))
    helped = subprocess.run([binary, "--help"], env=env, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert DEMO_PASSWORD not in helped.stdout + helped.stderr
    assert not os.path.exists(os.path.join(var, "bangfu.sqlite")) or os.path.getsize(os.path.join(var, "bangfu.sqlite")) == 0
    subprocess.run([binary, "migrate", "--yes"], env=env, capture_output=True, cwd=ROOT, timeout=120, check=True)
    made = subprocess.run([binary, "create-user", "--username", "pipe.admin", "--role", "admin"], env=env,
                          input="PipePassword2026\n", capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert made.returncode == 0, made.stdout + made.stderr
    assert "pipe.admin" in made.stdout
    assert DEMO_PASSWORD not in made.stdout + made.stderr
