"""Prints one fresh API token per demo role, as `role token` lines, for scripts/api-conformance.

Usage: api_tokens.py BASE_URL  (e.g. http://127.0.0.1:18080). Signs in through the login form
(CSRF token from the page and its cookie) and creates a token on the "API令牌" page, as a person would.
Not a pytest module (no test_ prefix): pytest does not collect it.
"""
import re
import sys

import requests

DEMO_PASSWORD = "Bangfu2026demo"
ROLES = {
    "admin": "admin",
    "office": "yunyang.office",
    "leadUnit": "yunyang.jiaowei",
    "buyer": "yunyang.hospital",
    "supplier": "longjiao.coop",
    "clerk": "longjiao.clerk",
}
CSRF = re.compile(r'name="_csrf"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="_csrf"')
TOKEN = re.compile(r'<code class="token" id="new-token">([^<]+)</code>')


def csrf(html):
    match = CSRF.search(html)
    if not match:
        raise SystemExit("no _csrf field in the page")
    return match.group(1) or match.group(2)


def token_for(base, username):
    s = requests.Session()
    page = s.get(base + "/login", timeout=10)
    page.raise_for_status()
    answer = s.post(base + "/login", timeout=10,
                    data={"username": username, "password": DEMO_PASSWORD, "_csrf": csrf(page.text)})
    answer.raise_for_status()
    page = s.get(base + "/account/tokens", timeout=10)
    page.raise_for_status()
    answer = s.post(base + "/account/tokens", timeout=10,
                    data={"name": "api-conformance", "_csrf": csrf(page.text)})
    answer.raise_for_status()
    match = TOKEN.search(answer.text)
    if not match:
        raise SystemExit(f"no new token for {username} (status {answer.status_code})")
    return match.group(1).strip()


def main():
    base = sys.argv[1].rstrip("/")
    for role, username in ROLES.items():
        print(role, token_for(base, username))


if __name__ == "__main__":
    main()
