"""Benchmark: one big upload through the real server (gunicorn, one worker) against the raw
write speed of the disk the files are stored on, measured in the same run; and the peak
resident memory of the server's worker while it takes the file.

    .venv/bin/python bench/ingest.py [--size-mb 2048] [--repeat 1] [--keep]

Runs against the database and storage the environment names (FAZHI_DATA_DIR, DATABASE_URL,
FAZHI_S3_*), migrated and filled (`fazhi demo-data` or `fazhi bench seed`). A liaison with an
item of their unit that takes materials is found in the database; the file is sent as a
streamed multipart body to `/api/evidence/items/{id}/files` with an API token, generated on
the fly (never whole in memory), timed until the answer arrives, and the stored blob is checked
(size and SHA-256 of what storage holds). The material is removed again unless --keep.

Goals: ingest throughput ≥ 70 % of the raw write (fsync'ed, 1 MiB chunks) to the same file
system; the worker's peak memory (VmHWM) ≤ 150 MB."""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Figure, database, machine, report, setup_django  # noqa: E402
from loadclient import (  # noqa: E402
    Server,
    api_token,
    delete_tokens,
    multipart,
    reset_peak,
    status_kib,
)

MIB = 1024 * 1024
GOAL_SHARE_OF_RAW = 0.70
GOAL_PEAK_MB = 150


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=2048, help="size of the file in MiB")
    parser.add_argument("--repeat", type=int, default=1, help="uploads (and raw writes) to time")
    parser.add_argument("--keep", action="store_true", help="keep the uploaded materials")
    args = parser.parse_args()
    setup_django()
    print(f"# ingest   {machine()}   {database()}", flush=True)

    from django.core.files.storage import default_storage

    user, item = liaison_and_item()
    size = args.size_mb * MIB
    store_dir = storage_dir(default_storage)
    store_dir.mkdir(parents=True, exist_ok=True)  # a seeded database may have stored no file yet
    temp_dir = Path(tempfile.gettempdir())
    same_fs = os.stat(store_dir).st_dev == os.stat(temp_dir).st_dev
    print(
        f"# {user.username} uploads {args.size_mb} MiB to item {item.pk} ({item.code}); "
        f"storage {store_dir}, upload temp files in {temp_dir} "
        f"({'same' if same_fs else 'another'} file system)",
        flush=True,
    )
    token_id, key = api_token(user)
    env = {"FAZHI_UPLOAD_MAX_MB": str(args.size_mb + 64)}
    uploads, raws, peaks, created = [], [], [], []
    try:
        with Server(workers=1, env=env) as server:
            (worker,) = server.gunicorn_workers()
            idle = status_kib(worker, "VmRSS")
            # One small upload first: the worker's first request imports the upload path.
            created.append(upload(server.port, key, item.pk, MIB, -1)[1])
            warm = status_kib(worker, "VmRSS")
            print(
                f"# worker {worker}: {idle / 1024:.0f} MB resident when started, "
                f"{warm / 1024:.0f} MB after a 1 MiB upload",
                flush=True,
            )
            for run in range(args.repeat):
                raws.append(raw_write(store_dir, size))
                before = status_kib(worker, "VmHWM")
                reset = reset_peak(worker)
                seconds, evidence_id, sha256 = upload(server.port, key, item.pk, size, run)
                peak = status_kib(worker, "VmHWM")
                created.append(evidence_id)
                check_stored(evidence_id, size, sha256)
                uploads.append(seconds)
                peaks.append(peak)
                print(
                    f"# run {run + 1}: raw write {size / MIB / raws[-1]:.0f} MiB/s, "
                    f"upload {size / MIB / seconds:.0f} MiB/s ({seconds:.1f} s); worker VmHWM "
                    f"{before / 1024:.0f} MB before{' (reset)' if reset else ''}, "
                    f"{peak / 1024:.0f} MB after",
                    flush=True,
                )
    finally:
        delete_tokens([token_id])
        if not args.keep:
            remove_materials(created)

    name = f"upload {args.size_mb} MiB, API, 1 worker"
    raw_median, upload_median = statistics.median(raws), statistics.median(uploads)
    report(
        Figure(
            bench="ingest",
            name=name,
            median_ms=upload_median * 1000,
            p95_ms=max(uploads) * 1000,
            baseline="raw fsync'ed write",
            baseline_p95_ms=max(raws) * 1000,
            goal_ratio=round(1 / GOAL_SHARE_OF_RAW, 2),
            note=(
                f"{size / MIB / upload_median:.0f} MiB/s = "
                f"{raw_median / upload_median:.0%} of raw {size / MIB / raw_median:.0f} MiB/s "
                f"(goal ≥ {GOAL_SHARE_OF_RAW:.0%})"
            ),
        )
    )
    peak_mb = max(peaks) / 1024
    report(
        Figure(
            bench="ingest",
            name=f"server worker peak memory, {args.size_mb} MiB upload",
            median_ms=statistics.median(peaks) / 1024,
            p95_ms=peak_mb,
            goal_p95_ms=GOAL_PEAK_MB,
            baseline="resident before it",
            baseline_p95_ms=warm / 1024,
            note=f"the upload itself adds {peak_mb - warm / 1024:.0f} MB",
            unit="MB",
        )
    )


def liaison_and_item():
    """A liaison and a leaf item given to their unit that still takes materials."""
    from fazhi.accounts.models import User
    from fazhi.campaigns.models import Item
    from fazhi.campaigns.services import LOCKED_STATES

    liaisons = User.objects.filter(
        roles__code="liaison", is_active=True, must_change_password=False, unit__isnull=False
    ).order_by("pk")
    for user in liaisons:
        item = (
            Item.objects.visible_to(user)
            .filter(assignments__unit_id=user.unit_id, children__isnull=True)
            .exclude(status__in=LOCKED_STATES)
            .order_by("pk")
            .first()
        )
        if item is not None:
            return user, item
    sys.exit("no liaison with an open item of their unit: fill the database first")


def storage_dir(storage) -> Path:
    """The folder files are stored in, or the temporary folder for object storage."""
    try:
        return Path(storage.path(""))
    except NotImplementedError:
        return Path(tempfile.gettempdir())


def raw_write(folder: Path, size: int) -> float:
    """Seconds to write `size` bytes in 1 MiB chunks and fsync them, in the storage's folder."""
    block = os.urandom(MIB)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f".bench-raw-{os.getpid()}"
    try:
        started = time.perf_counter()
        with target.open("wb") as out:
            for _ in range(size // MIB):
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        return time.perf_counter() - started
    finally:
        target.unlink(missing_ok=True)


def upload(port: int, key: str, item_id: int, size: int, run: int) -> tuple[float, int, str]:
    """(seconds until the answer, evidence id, SHA-256 of the content sent)."""
    chunks = list(_chunk_plan(size, run))
    hasher = hashlib.sha256()
    for chunk in _replay(chunks):  # hashed before timing, so the client's hash costs nothing
        hasher.update(chunk)
    head, tail, content_type = multipart(f"会议录像-{run + 1}.mp4", "video/mp4")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    connection.putrequest("POST", f"/api/evidence/items/{item_id}/files")
    connection.putheader("Authorization", f"Bearer {key}")
    connection.putheader("Content-Type", content_type)
    connection.putheader("Content-Length", str(len(head) + size + len(tail)))
    connection.endheaders()
    connection.send(head)
    for chunk in _replay(chunks):
        connection.sock.sendall(chunk)
    connection.send(tail)
    response = connection.getresponse()
    body = response.read()
    seconds = time.perf_counter() - started
    connection.close()
    if response.status != 201:
        sys.exit(f"upload refused: {response.status} {body[:500]!r}")
    (result,) = json.loads(body)
    return seconds, result["evidence_id"], hasher.hexdigest()


def _chunk_plan(size: int, run: int):
    """The stamps of the chunks; the content is made again from them each time it is read."""
    stamp = f"{os.getpid()}-{time.time_ns()}-{run}-".encode()
    block = os.urandom(MIB)
    yield block
    for number in range(size // MIB):
        yield stamp + str(number).encode()


def _replay(plan: list[bytes]):
    block, marks = bytearray(plan[0]), plan[1:]
    for mark in marks:
        block[: len(mark)] = mark
        yield bytes(block)


def check_stored(evidence_id: int, size: int, sha256: str) -> None:
    """The stored blob has the size and content sent: hashed again from storage."""
    from fazhi.evidence.models import Evidence
    from fazhi.evidence.storage import CHUNK, open_blob

    blob = Evidence.objects.select_related("current__blob").get(pk=evidence_id).current.blob
    hasher, stored = hashlib.sha256(), 0
    with open_blob(blob) as source:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            hasher.update(chunk)
            stored += len(chunk)
    problems = []
    if blob.size != size or stored != size:
        problems.append(f"size {blob.size} in the database, {stored} stored, {size} sent")
    if blob.sha256 != sha256 or hasher.hexdigest() != sha256:
        problems.append("SHA-256 of the stored blob differs from the content sent")
    if problems:
        sys.exit("stored file wrong: " + "; ".join(problems))


def remove_materials(evidence_ids: list[int]) -> None:
    """Take the benchmark's materials out again: rows, stored file, queued extraction."""
    from django.core.files.storage import default_storage
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from fazhi.campaigns.services import refresh_item_status
    from fazhi.evidence.models import Blob, Evidence, EvidenceVersion, SearchDocument

    for evidence in Evidence.objects.filter(pk__in=evidence_ids).select_related("item"):
        blob_ids = list(
            EvidenceVersion.objects.filter(evidence=evidence).values_list("blob_id", flat=True)
        )
        with transaction.atomic():
            SearchDocument.objects.filter(evidence=evidence).delete()
            Evidence.objects.filter(pk=evidence.pk).update(current=None)
            EvidenceVersion.objects.filter(evidence=evidence).delete()
            evidence.delete()
            for blob in Blob.objects.filter(pk__in=blob_ids, versions__isnull=True):
                for task in DBTaskResult.objects.filter(
                    task_path__endswith="extract_blob_text", status="READY"
                ):
                    if blob.pk in (task.args_kwargs or {}).get("args", []):
                        task.delete()
                default_storage.delete(blob.storage_name)
                blob.delete()
            refresh_item_status(evidence.item)


if __name__ == "__main__":
    main()
