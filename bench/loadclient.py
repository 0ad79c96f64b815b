"""What the benchmarks that drive the real server share: starting `fazhi serve` (gunicorn) and
`fazhi worker` as subprocesses on a free loopback port and stopping them, logging clients in
without a password hash (a Django session or an API token made directly), reading the
memory and CPU time of the server's processes from /proc, and a small asyncio HTTP/1.1 client
(one connection per request, as a browser that found the keep-alive closed after its think
time)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`fazhi serve --no-worker --workers N` (and optionally one `fazhi worker`) in their own
    process groups, on a free loopback port, with their output in a log file."""

    def __init__(self, *, workers: int, env: dict[str, str] | None = None, task_worker=False):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **(env or {}), "PORT": str(self.port), "HOST": "127.0.0.1"}
        self.workers = workers
        self.with_task_worker = task_worker
        self.log = Path(tempfile.mkstemp(prefix="fazhi-bench-server-", suffix=".log")[1])
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> Server:
        out = self.log.open("ab")
        fazhi = [sys.executable, "-m", "fazhi.cli"]
        serve = [*fazhi, "serve", "--no-worker", "--workers", str(self.workers)]
        self.web = self._start(serve, out)
        if self.with_task_worker:
            self._start([*fazhi, "worker"], out)
        self._wait_until_up()
        self._wait_until_quiet()
        return self

    def _wait_until_quiet(self, timeout: float = 120) -> None:
        """Until the workers have finished starting (each imports the platform, about 2 s of
        CPU): a benchmark that starts timing earlier charges their start-up to its requests."""
        deadline = time.monotonic() + timeout
        before = cpu_seconds(self.all_pids())
        while time.monotonic() < deadline:
            time.sleep(0.5)
            now = cpu_seconds(self.all_pids())
            if now - before < 0.05:  # under a tenth of a core
                return
            before = now

    def _start(self, command: list[str], out) -> subprocess.Popen:
        process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=self.env, stdout=out, stderr=out, start_new_session=True
        )
        self.processes.append(process)
        return process

    def _wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.web.poll() is not None:
                raise RuntimeError(f"the server stopped; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/accounts/login/", timeout=5):  # noqa: S310
                    pass
                if len(self.web_pids()) >= self.workers + 1:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer within {timeout:.0f} s; see {self.log}")

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def web_pids(self) -> list[int]:
        """`fazhi serve`, the gunicorn master and its workers."""
        return [self.web.pid, *descendants(self.web.pid)]

    def gunicorn_workers(self) -> list[int]:
        """The processes that serve requests: the leaves of the web process tree."""
        tree = descendants(self.web.pid)
        parents = {parent_pid(pid) for pid in tree}
        return [pid for pid in tree if pid not in parents]

    def all_pids(self) -> list[int]:
        pids = []
        for process in self.processes:
            pids += [process.pid, *descendants(process.pid)]
        return pids

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def parent_pid(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return -1
    return int(stat.rsplit(")", 1)[1].split()[1])


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            children.setdefault(parent_pid(int(entry.name)), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def status_kib(pid: int, field: str) -> int:
    """A field of /proc/<pid>/status in KiB (VmHWM: peak resident memory, VmRSS: now)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def reset_peak(pid: int) -> bool:
    """Reset VmHWM to the current resident size (Linux 4.0+); False when not permitted."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time of the processes (those still running)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


# -- logging clients in ------------------------------------------------------------------------


def session_cookie(user) -> str:
    """A session as django.contrib.auth.login would leave it, without checking a password, in
    the configured session engine; returns the session cookie's value."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


def csrf_secret() -> str:
    from django.middleware.csrf import _get_new_csrf_string

    return _get_new_csrf_string()


def delete_sessions(keys: list[str]) -> None:
    from django.contrib.sessions.models import Session

    for start in range(0, len(keys), 500):
        Session.objects.filter(session_key__in=keys[start : start + 500]).delete()


def api_token(user) -> tuple[int, str]:
    """(token id, key) of a new API token for the user."""
    from fazhi.accounts.services import api_token_create

    token, key = api_token_create(acting_user=user, name="bench")
    return token.pk, key


def delete_tokens(ids: list[int]) -> None:
    from fazhi.accounts.models import ApiToken

    ApiToken.objects.filter(pk__in=ids).delete()


# -- multipart ---------------------------------------------------------------------------------

BOUNDARY = "----fazhi-bench-7d3f0c9a1b"


def multipart(
    file_name: str, content_type: str, fields: dict[str, str] | None = None
) -> tuple[bytes, bytes, str]:
    """(head, tail, content type) of a multipart body with one file field `files`: the file's
    bytes go between head and tail, so that a big file can be streamed."""
    head = b""
    for name, value in (fields or {}).items():
        head += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    head += (
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="files"; filename="{file_name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    return head, tail, f"multipart/form-data; boundary={BOUNDARY}"


# -- a small asyncio HTTP/1.1 client -----------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


async def request(
    port: int,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    timeout: float = 60,
) -> Response:
    """One request on a new connection (Connection: close), read to the end."""
    return await asyncio.wait_for(_request(port, method, path, headers or {}, body), timeout)


async def _request(port, method, path, headers, body) -> Response:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()
        raw = await reader.read(-1)
    finally:
        writer.close()
    head, _, content = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parsed = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        parsed[name.strip().lower()] = value.strip()
    if "chunked" in parsed.get("transfer-encoding", ""):
        content = _unchunk(content)
    return Response(int(status_line.split()[1]), parsed, content)


def _unchunk(data: bytes) -> bytes:
    out, position = bytearray(), 0
    while True:
        end = data.index(b"\r\n", position)
        size = int(data[position:end].split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out += data[end + 2 : end + 2 + size]
        position = end + 2 + size + 2
