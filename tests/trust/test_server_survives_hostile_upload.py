"""The real server (gunicorn) and the task worker (``db_worker``) outlive the 5 KB workbook
of the hostile review: a street user uploads it through the admin, once checked in the
request and once in the background, and both processes are alive and answering afterwards.

The processes run on a database of their own (an SQLite file in a temporary folder, migrated
and loaded with the demo data), so that they see what this test writes.
"""

import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.imports.hostile import cell, far_cell_xlsx, sheet_xml, xlsx

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
IMPORT_PATH = "/admin/facilities/premises/import/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args, stdin=None):
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, input=stdin, capture_output=True,
        text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


class Browser:
    """A user agent with cookies, as the clerk's browser would be."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path):
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.status, response.geturl(), response.read().decode()

    def csrf(self, page):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def post(self, path, fields, files=None):
        boundary = uuid.uuid4().hex
        body = b""
        for name, value in fields.items():
            body += (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            ).encode()
        for name, (filename, content) in (files or {}).items():
            body += (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode() + content + b"\r\n"
        body += f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(
            self.base + path,
            data=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Referer": self.base + path,
            },
        )
        with self.opener.open(request, timeout=120) as response:
            return response.status, response.geturl(), response.read().decode()

    def login(self, username, password):
        _status, _url, page = self.get("/admin/login/")
        status, url, page = self.post(
            "/admin/login/",
            {"csrfmiddlewaretoken": self.csrf(page), "username": username,
             "password": password, "next": "/admin/"},
        )
        assert "/admin/login/" not in url, page[-2000:]


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("server")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "MEDIA_ROOT": str(folder / "media"),
        "DEBUG": "1",
        "SECRET_KEY": "test-server-survives-hostile-upload-" + uuid.uuid4().hex,
        "IMPORT_BACKGROUND_ROWS": "5",  # a file of more rows goes to the worker
    }
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "loaddemo")
    gunicorn = shutil.which("gunicorn", path=str(Path(PYTHON).parent)) or "gunicorn"
    log = open(folder / "processes.log", "w")  # noqa: SIM115 - closed at teardown
    web = subprocess.Popen(
        [gunicorn, "jianye.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--timeout", "120"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(
        [PYTHON, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def answering():
        try:
            with urllib.request.urlopen(base + "/admin/login/", timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    assert wait_for(answering), (folder / "processes.log").read_text()[-3000:]
    yield {"base": base, "web": web, "worker": worker, "env": env, "log": folder / "processes.log"}
    for process in (web, worker):
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    log.close()


def job_state(browser, page_url) -> dict:
    _status, _url, body = browser.get(page_url.rstrip("/") + "/progress.json")
    return json.loads(body)


def test_the_far_cell_workbook_leaves_server_and_worker_alive(server, tmp_path):
    browser = Browser(server["base"])
    browser.login("nanhu", "Jianye-nanhu-2006")
    _status, _url, page = browser.get(IMPORT_PATH)

    # 1. Checked in the request (3 rows: not big): refused on the form, in Chinese.
    small = far_cell_xlsx(tmp_path / "far.xlsx")
    assert small.stat().st_size < 5 * 1024
    status, url, page = browser.post(
        IMPORT_PATH, {"csrfmiddlewaretoken": browser.csrf(page)},
        {"file": ("far.xlsx", small.read_bytes())},
    )
    assert status == 200 and "1,048,576" in page and "拒收" in page, page[-3000:]
    assert server["web"].poll() is None, server["log"].read_text()[-3000:]

    # 2. Big enough for the worker (12 rows): the job fails with the reason; the worker lives.
    rows = [(f"A{r}", "x") for r in range(1, 12)] + [("XFD1048576", "x")]
    big = xlsx(tmp_path / "far-big.xlsx", sheet_xml(rows))
    assert big.stat().st_size < 5 * 1024
    _status, _url, page = browser.get(IMPORT_PATH)
    status, url, page = browser.post(
        IMPORT_PATH, {"csrfmiddlewaretoken": browser.csrf(page)},
        {"file": ("far-big.xlsx", big.read_bytes())},
    )
    assert "/imports/jobs/" in url, (url, page[-2000:])
    job_url = urllib.parse.urlparse(url).path

    def finished():
        return job_state(browser, job_url)["finished"]

    assert wait_for(finished, 90), server["log"].read_text()[-3000:]
    assert job_state(browser, job_url)["status"] == "failed"
    _status, _url, page = browser.get(job_url)
    assert "1,048,576" in page and "拒收" in page, page[-3000:]

    # 3. Both processes alive and answering: a good file is checked by the worker.
    assert server["web"].poll() is None and server["worker"].poll() is None, (
        server["log"].read_text()[-3000:]
    )
    assert browser.get("/")[0] == 200
    good_rows = "".join(
        f'<row r="{r}">{cell(f"A{r}", "x")}</row>' for r in range(2, 12)
    )
    good = xlsx(
        tmp_path / "good.xlsx",
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main"><sheetData><row r="1">' + cell("A1", "社区代码")
        + "</row>" + good_rows + "</sheetData></worksheet>",
    )
    _status, _url, page = browser.get(IMPORT_PATH)
    status, url, page = browser.post(
        IMPORT_PATH, {"csrfmiddlewaretoken": browser.csrf(page)},
        {"file": ("good.xlsx", good.read_bytes())},
    )
    job_url = urllib.parse.urlparse(url).path
    assert wait_for(lambda: job_state(browser, job_url)["finished"], 90), (
        server["log"].read_text()[-3000:]
    )
    assert server["worker"].poll() is None
