"""The real Alertmanager (Debian's prometheus-alertmanager) on loopback, with a webhook that records.

A test starts Alertmanager on 127.0.0.1 at a free port with a config whose receivers point at a
small HTTP server on loopback, posts alerts through `/api/v2/alerts`, and reads what reached each
receiver. Every wait is bounded and the process is stopped by the test that started it."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from compiler.syntax.emit import dump

# Debian names the server prometheus-alertmanager; upstream's archive names it alertmanager.
SERVER_NAMES = ("prometheus-alertmanager", "alertmanager")
START_SECONDS = 15.0
STOP_SECONDS = 5.0


def server() -> str | None:
    """Path of the Alertmanager server, or None when it is not installed."""
    return next((found for name in SERVER_NAMES if (found := shutil.which(name))), None)


def free_port() -> int:
    """A TCP port on loopback that nobody listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Inbox:
    """What the receivers got: each request's path and JSON body, in arrival order."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self.received: list[tuple[str, dict[str, Any]]] = []

    def add(self, path: str, body: dict[str, Any]) -> None:
        """Record one delivery and wake whoever waits."""
        with self._lock:
            self.received.append((path, body))
            self._lock.notify_all()

    def wait_for(self, condition: Callable[[list[tuple[str, dict[str, Any]]]], bool], seconds: float) -> bool:
        """Wait at most seconds until condition holds over the deliveries so far."""
        deadline = time.monotonic() + seconds
        with self._lock:
            while not condition(self.received):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(left)
            return True

    def names(self, path: str) -> set[str]:
        """The alert names delivered to one receiver path, from either payload format."""
        with self._lock:
            bodies = [body for at, body in self.received if at == path]
        found = set()
        for body in bodies:
            found |= {a["labels"]["alertname"] for a in body.get("alerts", [])}
            # Slack's format carries the group's labels in the default title's text only; the test
            # configs below give it a plain title.
            found |= {a.get("title", "") for a in body.get("attachments", [])} - {""}
        return found


@contextmanager
def webhook() -> Iterator[tuple[str, Inbox]]:
    """An HTTP server on loopback that records every POST; yields its base URL and the inbox."""
    inbox = Inbox()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            inbox.add(self.path, body)
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Keep the test output quiet."""

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", inbox
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(STOP_SECONDS)


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def alertmanager(config: dict[str, Any], workdir: Path) -> Iterator[str]:
    """Alertmanager on 127.0.0.1 with config; yields its base URL and stops it afterwards."""
    binary = server()
    assert binary is not None, "Alertmanager is not installed (Debian's prometheus-alertmanager)"
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "alertmanager.yml"
    path.write_text(dump(config), encoding="utf-8")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (workdir / "alertmanager.log").open("w", encoding="utf-8")
    command = [
        binary,
        f"--config.file={path}",
        f"--storage.path={workdir / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",
    ]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _ready(url):
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise AssertionError(
                    f"Alertmanager did not start:\n{(workdir / 'alertmanager.log').read_text()}"
                )
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_SECONDS)
        log.close()


def post_alerts(url: str, labels: list[dict[str, str]]) -> None:
    """Fire alerts with these labels now, as Prometheus does, through the v2 API."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload = [{"labels": one, "annotations": {"summary": "test"}, "startsAt": now} for one in labels]
    request = urllib.request.Request(
        f"{url}/api/v2/alerts",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert answer.status == 200, answer.status
