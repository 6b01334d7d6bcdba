"""`claims serve --prod` as a client meets it: headers, and the requests gunicorn refuses."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from flask import Flask

from claims.db import MAX_ID

# The server under test always runs on its own SQLite file: the PostgreSQL run would repeat it.
pytestmark = pytest.mark.sqlite_only

ANY_PAGE_TEXT = "متتبّع الادعاءات"  # the product's name, on every page of ours


class Server:
    """A running `claims serve --prod` on a free loopback port, and its output so far."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.process, self.port, self.log = process, port, log

    def send(self, data: bytes) -> tuple[int, dict[str, str], bytes]:
        """Send raw bytes on a new connection; the status, headers and body of the answer."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            sock.sendall(data)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
                head, _, body = answer.partition(b"\r\n\r\n")
                length = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:")]
                if length and len(body) >= length[0]:
                    break
        head, _, body = answer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(lines[0].split()[1]), headers, body

    def get(self, target: str, *header_lines: str) -> tuple[int, dict[str, str], bytes]:
        """GET ``target`` (sent as is) with these extra header lines."""
        extra = "".join(f"{line}\r\n" for line in header_lines)
        return self.send(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}"
                         "Connection: close\r\n\r\n".encode("latin-1"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One production server for the module (it takes a few seconds to boot)."""
    folder = tmp_path_factory.mktemp("serve")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, CLAIMS_DATABASE_URL=f"sqlite:///{folder / 'serve.sqlite3'}",
               CLAIMS_WORKERS="1", CLAIMS_THREADS="2", CLAIMS_SECRET_KEY="s" * 40,
               CLAIMS_ALLOWED_HOSTS="127.0.0.1")
    log = folder / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("claims")), "serve", "--prod", "--port",
             str(port)], env=env, stdout=out, stderr=subprocess.STDOUT)
    running = Server(process, port, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if running.get("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield running
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def test_the_server_header_does_not_name_gunicorn(server: Server) -> None:
    status, headers, _ = server.get("/healthz")
    assert status == 200 and headers["server"] == "claims"
    refused = server.get("/" + "a" * 9000)[1]
    assert "gunicorn" not in json.dumps(refused).lower()


def test_refusals_are_our_pages_and_json_for_the_api(server: Server) -> None:
    long_query = "?q=" + quote("ب" * 2000)  # 12,000 bytes: over any request line we take
    for target in ("/claims" + long_query, "http://127.0.0.1/claims" + long_query):
        status, headers, body = server.get(target)
        page = body.decode()
        assert status == 414 and headers["content-type"] == "text/html; charset=utf-8"
        assert ANY_PAGE_TEXT in page and 'dir="rtl"' in page and "(414)" in page
        assert "gunicorn" not in page.lower() and "%D8%A8" not in page  # nothing echoed
        assert headers["connection"] == "close" and int(headers["content-length"]) == len(body)
        assert headers["x-content-type-options"] == "nosniff"
    for target in ("/api/v1/claims" + long_query, "http://127.0.0.1/api/v1/claims" + long_query):
        status, headers, body = server.get(target)
        assert status == 414 and headers["content-type"] == "application/json", target
        error = json.loads(body)["error"]
        assert error["code"] == "request_uri_too_long" and error["field"] is None
        assert error["message"] and "gunicorn" not in error["message"].lower()
    many = [f"X-Many-{n}: {n}" for n in range(150)]
    status, headers, body = server.get("/api/v1/claims", *many)
    assert status == 431 and json.loads(body)["error"]["code"] == \
        "request_header_fields_too_large"
    status, headers, body = server.get("/claims", *many)
    assert status == 431 and ANY_PAGE_TEXT in body.decode()
    status, headers, body = server.get("/api/v1/claims", "Bad Header: x")
    assert status == 400 and json.loads(body)["error"]["code"] == "bad_request"
    status, headers, body = server.send(b"GARBAGE\r\n\r\n")
    assert status == 400 and ANY_PAGE_TEXT in body.decode() and b"GARBAGE" not in body
    assert "Invalid request from ip=" in server.log.read_text()  # gunicorn still logs them


def _longest_list_url(app: Flask) -> str:
    """The longest claims-list address the app links to: every filter at its longest, in
    characters that take four bytes of UTF-8 (twelve percent-encoded)."""
    from claims.services.filters import ClaimFilters

    wide = "\U0001d54f"  # 𝕏: four bytes in UTF-8
    statuses = app.config["STATUSES"]
    filters = ClaimFilters.from_args({
        "q": wide * 200, "tag": wide * 64, "unit": wide * 32,
        "status": max(statuses, key=len), "entity": str(MAX_ID), "speaker": str(MAX_ID),
        "source": str(MAX_ID), "demonyms": "0", "from": "2024-01-01", "to": "2024-12-31",
        "page": "100000"}, set(statuses))
    assert not filters.problems and len(filters.q) == 200
    return "/claims?" + urlencode(filters.as_args())


def test_every_address_the_app_makes_fits_the_request_line(server: Server, app: Flask) -> None:
    """A search at every limit, and the login page an anonymous visitor is sent to from it
    (its whole address percent-encoded once more in ``next``), are served, not refused."""
    listing = _longest_list_url(app)
    login = app.test_client().get(listing).headers["Location"]
    assert login.startswith("/login?next=") and len(login) > len(listing) > 3000
    assert server.get(listing)[0] == 302
    status, _, body = server.get(login)
    assert status == 200 and 'name="password"' in body.decode()
    arabic = "/api/v1/claims?" + urlencode({"q": "ب" * 200})  # the longest Arabic API search
    assert server.get(arabic)[0] == 401


def test_the_target_is_read_from_a_request_line_cut_anywhere() -> None:
    from claims.serving import target_of

    assert target_of(b"GET /api/v1/claims?q=%D8 HTTP/1.1\r\nHost: x") == b"/api/v1/claims?q=%D8"
    assert target_of(b"\r\nGET /api/v1/cla") == b"/api/v1/cla"  # the one empty line allowed
    assert target_of(b"GET http://evil.example/api/v1?q HTTP/1.1") == b"/api/v1?q"
    assert target_of(b"GET http://evil.example") == b"/"
    assert target_of(b"GARBAGE\r\n\r\n") == b"" and target_of(b"") == b""


def test_no_control_socket_is_shared_between_instances(server: Server) -> None:
    """gunicorn's default control socket is one path per user ($HOME/.gunicorn/gunicorn.ctl):
    a second instance (staging beside production, a test run) would take it over."""
    assert "Control socket" not in server.log.read_text()


def test_keep_alive_and_pipelined_requests_still_parse(server: Server) -> None:
    """The worker's request class only watches the bytes read: bodies and the next request
    on the same connection are read as gunicorn reads them."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("POST", "/api/v1/claims", body=json.dumps({"text": "ب" * 500}),
                           headers={"Content-Type": "application/json"})
        first = connection.getresponse()
        assert first.status == 401 and json.loads(first.read())["error"]["code"] == \
            "unauthorized"
        connection.request("GET", "/healthz")
        assert connection.getresponse().read() == b'{"status":"ok"}\n'
    finally:
        connection.close()
    one = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    last = one.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(one + last)  # both at once: the second waits in gunicorn's buffer
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.count(b"HTTP/1.1 200 OK") == answer.count(b'{"status":"ok"}') == 2
