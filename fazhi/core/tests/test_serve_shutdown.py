"""`fazhi serve` stopped by SIGTERM (systemd, docker, kill) stops its children with it: gunicorn
frees the port and the task worker ends, so the next start on the same port works. Before, Python
died on SIGTERM without its cleanup, and the next start failed with "Address already in use"."""

import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from fazhi.core.tests.test_error_pages import free_port

ROOT = Path(__file__).resolve().parents[3]


def platform_env(tmp_path, port: int) -> dict:
    """The environment of a platform on a migrated database of its own: on PostgreSQL the test
    database (its tables exist); on SQLite a fresh data folder, migrated here."""
    env = {
        **os.environ,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "FAZHI_WEB_WORKERS": "1",
        "FAZHI_DATA_DIR": str(tmp_path / "data"),
    }
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        env["DATABASE_URL"] = (
            f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
        )
    else:
        env.pop("DATABASE_URL", None)
        subprocess.run(  # noqa: S603
            [sys.executable, "-m", "fazhi.cli", "migrate", "--no-input", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    return env


def start(env) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "fazhi.cli", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def health(port: int, *, within: float) -> int:
    until = time.monotonic() + within
    while True:
        try:
            client = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            client.request("GET", "/healthz")
            status = client.getresponse().status
            client.close()
            return status
        except OSError:
            if time.monotonic() > until:
                raise
            time.sleep(0.3)


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited; only its exit status waits to be read


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sigterm_stops_the_web_server_and_the_worker_and_frees_the_port(tmp_path):
    port = free_port()
    env = platform_env(tmp_path, port)
    serve = start(env)
    try:
        assert health(port, within=90) == 200
        spawned = children(serve.pid)
        assert len(spawned) == 2  # gunicorn's master and the task worker

        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=90) == 0
        assert not [pid for pid in spawned if running(pid)]

        again = start(env)  # the same port: free again
        try:
            assert health(port, within=90) == 200
        finally:
            again.send_signal(signal.SIGTERM)
            again.wait(timeout=90)
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
