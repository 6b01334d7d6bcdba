"""The gunicorn worker of `claims serve --prod`: gthread, with our refusals and Server name."""

from __future__ import annotations

from typing import Any

from gunicorn import util
from gunicorn.http import parser, wsgi
from gunicorn.http.errors import ParseException
from gunicorn.http.message import Request
from gunicorn.workers.gthread import ThreadWorker

SERVER = "claims"
# Enough of a request's first bytes to read where it was going (method, the path's start).
HEAD = 256


class _Recorder:
    """An unreader that keeps the first bytes read through it (see ``_Request``)."""

    def __init__(self, unreader: Any) -> None:
        self.unreader = unreader
        self.head = b""

    def read(self, *args: Any) -> bytes:
        """Read on, noting the first ``HEAD`` bytes."""
        data: bytes = self.unreader.read(*args)
        if len(self.head) < HEAD:
            self.head += data[:HEAD - len(self.head)]
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self.unreader, name)


class _Request(Request):
    """gunicorn's request, which hands a parse error the bytes it was parsing: a request line
    too long to take is never parsed, yet an API client's must be answered in JSON."""

    def parse(self, unreader: Any) -> Any:
        """Parse as gunicorn does; on an error, note the request's first bytes on it."""
        recorder = _Recorder(unreader)
        try:
            return super().parse(recorder)
        except ParseException as exc:
            exc.claims_head = recorder.head
            raise


def target_of(head: bytes) -> bytes:
    """The path a request's first bytes ask for ("" when they name none), also from the
    absolute form (``GET http://host/path``)."""
    parts = head.lstrip(b"\r\n").split(b"\r\n", 1)[0].split(b" ", 2)
    target = parts[1] if len(parts) > 1 else b""
    if not target.startswith(b"/") and b"://" in target:
        target = b"/" + target.split(b"://", 1)[1].partition(b"/")[2]
    return target


def _for_api(req: Any, exc: BaseException) -> bool:
    path = getattr(req, "path", None) or getattr(getattr(exc, "req", None), "path", None)
    if path:
        return str(path).startswith("/api/")
    return target_of(getattr(exc, "claims_head", b"")).startswith(b"/api/")


class _Captured:
    """Stands in for the client's socket while gunicorn writes its error page: what it wrote
    gives the status (gunicorn keeps the mapping from its errors), and nothing is sent."""

    def __init__(self, sock: Any) -> None:
        self.sock = sock
        self.written = b""

    def gettimeout(self) -> float:
        """Non-blocking as far as gunicorn's writer knows (it then writes at once)."""
        return 0.0

    def sendall(self, data: bytes) -> None:
        """Keep what gunicorn would have sent."""
        self.written += data

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sock, name)


class Worker(ThreadWorker):
    """gunicorn's threaded worker, which names itself ``claims`` and answers the requests it
    refuses (too long, too many headers, malformed) with our page, or JSON under /api/."""

    def init_process(self) -> None:
        """Set the Server name and the request class in this worker process, then run."""
        # gunicorn reads both names from its wsgi module for every response; its own name
        # and version tell a scanner which of its known flaws to try.
        wsgi.SERVER = wsgi.SERVER_SOFTWARE = SERVER
        parser.RequestParser.mesg_class = _Request
        super().init_process()

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        """gunicorn's handling (status, log lines) with our body in place of its page."""
        # Here, not at the top: gunicorn's master imports this module to find the worker
        # class, and the app's modules belong in the workers (each builds its own app).
        from claims.errors import refusal
        from claims.security import CSP

        captured = _Captured(client)
        super().handle_error(req, captured, addr, exc)
        status_line = captured.written.split(b"\r\n", 1)[0]
        try:
            status = int(status_line.split(b" ")[1])
        except (IndexError, ValueError):
            return  # gunicorn wrote nothing (it could not): neither do we
        try:
            content_type, body = refusal(status, _for_api(req, exc))
            head = (f"Server: {SERVER}\r\nDate: {util.http_date()}\r\nConnection: close\r\n"
                    f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                    f"Content-Security-Policy: {CSP}\r\nX-Content-Type-Options: nosniff\r\n"
                    "Cache-Control: no-store\r\n\r\n")
            answer = status_line + b"\r\n" + head.encode("latin-1") + body
        except Exception:  # a bug of ours must not leave the client without an answer
            self.log.exception("could not build the refusal page; sending gunicorn's")
            answer = captured.written
        try:
            util.write_nonblock(client, answer)
        except Exception:  # the client is gone: as gunicorn does, say so only when debugging
            self.log.debug("Failed to send error message.")
