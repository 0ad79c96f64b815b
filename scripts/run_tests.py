"""The whole test suite twice: on the embedded default (SQLite, files on local disk), and as the
scale deployment runs, on PostgreSQL in a throwaway cluster with files in S3-compatible object
storage (moto's S3 server on loopback), when the PostgreSQL server programs are installed
(Debian's `postgresql` package; .ci/run installs it). The two rounds run at the same time."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]


def main() -> int:
    extra = sys.argv[1:]
    pg_bin = find_postgres_bin()
    if pg_bin is None:
        print("== 测试：SQLite ==", flush=True)
        print(
            "未安装 PostgreSQL 服务端（apt-get install postgresql），跳过 PostgreSQL 轮。",
            flush=True,
        )
        return run_pytest({}, extra)
    # The two rounds share nothing (each has its own database, files and LibreOffice profiles)
    # and each keeps one core busy, so on the two-core machine they run side by side: the
    # SQLite round prints as it goes, the PostgreSQL round's output follows when both are done.
    with (
        throwaway_cluster(pg_bin) as url,
        object_store() as storage,
        tempfile.TemporaryFile() as postgres_output,
        pytest_in_background({"DATABASE_URL": url, **storage}, extra, postgres_output) as postgres,
    ):
        print("== 测试第一轮：SQLite（PostgreSQL + S3 对象存储轮同时在后台进行）==", flush=True)
        status = run_pytest({}, extra)
        postgres_status = postgres.wait()
        print("== 测试第二轮：PostgreSQL + S3 对象存储 ==", flush=True)
        postgres_output.seek(0)
        shutil.copyfileobj(postgres_output, sys.stdout.buffer)
        sys.stdout.flush()
    return status or postgres_status


def run_pytest(env: dict, extra: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="fazhi-test-data-") as data_dir:
        environment = {**os.environ, "FAZHI_DATA_DIR": data_dir, **env}
        return subprocess.call([*PYTEST, *extra], cwd=ROOT, env=environment)  # noqa: S603


@contextmanager
def pytest_in_background(env: dict, extra: list[str], output):
    """pytest started with its output going to `output`; stopped if the block ends before it."""
    with tempfile.TemporaryDirectory(prefix="fazhi-test-data-") as data_dir:
        environment = {**os.environ, "FAZHI_DATA_DIR": data_dir, **env}
        process = subprocess.Popen(  # noqa: S603
            [*PYTEST, *extra],
            cwd=ROOT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait()


def find_postgres_bin() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    if candidates:
        return candidates[0].parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


class throwaway_cluster:
    """initdb into a temporary folder, start on a free loopback port, stop and delete on exit.
    PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user."""

    def __init__(self, pg_bin: Path, *, durable: bool = False):
        self.pg_bin = pg_bin
        # Tests need no durability and run faster without it; benchmarks keep a deployment's.
        self.durable = durable
        self.folder = Path(tempfile.mkdtemp(prefix="fazhi-pg-"))
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = [str(self.pg_bin / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)  # noqa: S603

    def __enter__(self) -> str:
        if self.as_postgres:
            shutil.chown(self.folder, "postgres")
        data = str(self.folder / "data")
        self._run(
            "initdb",
            "-D",
            data,
            "-U",
            "fazhi",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.folder} -c max_connections=200"
        )
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            "pg_ctl", "-D", data, "-o", options, "-l", str(self.folder / "log"), "-w", "start"
        )
        time.sleep(0.2)
        return f"postgres://fazhi@127.0.0.1:{self.port}/postgres"

    def __exit__(self, *exc) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


S3_BUCKET = "fazhi-test"


@contextmanager
def object_store():
    """moto's S3 server on a free loopback port with an empty bucket; yields the platform's
    FAZHI_S3_* variables pointing at it."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_answering(endpoint)
        # A bucket is made with a plain PUT (moto's server takes any credentials).
        request = urllib.request.Request(f"{endpoint}/{S3_BUCKET}", method="PUT")  # noqa: S310
        urllib.request.urlopen(request, timeout=10).close()  # noqa: S310 - loopback
        yield {
            "FAZHI_S3_BUCKET": S3_BUCKET,
            "FAZHI_S3_ENDPOINT_URL": endpoint,
            "FAZHI_S3_REGION": "us-east-1",
            "FAZHI_S3_ACCESS_KEY": "test",
            "FAZHI_S3_SECRET_KEY": "test",
        }
    finally:
        server.terminate()
        server.wait()


def wait_until_answering(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()  # noqa: S310 - loopback
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main())
