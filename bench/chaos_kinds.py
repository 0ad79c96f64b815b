"""The machinery of bench/chaos.py: the processes it starts and kills, the work each kind of
kill interrupts, how it waits for that work to be redone, and what it expects afterwards."""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import math
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import chaos_checks as checks
from chaos_content import chunk_plan, long_document, long_text, replay, sha256, write_table
from harness import ROOT
from loadclient import api_token, descendants, multipart

PYTHON = sys.executable
FAZHI = [PYTHON, "-m", "fazhi.cli"]
KINDS = ("upload", "import", "build", "extract")
TABLE_SHAPE = (10, 10, 12)  # areas, groups per area, indicators per group: 1,200 indicators
IMPORT_FILES = 24
EXTRACT_FORMATS = ("txt", "docx", "pdf")


class Chaos:
    def __init__(self, args, root: Path, env: dict[str, str]):
        self.args, self.root, self.env = args, root, env
        self.rng = random.Random(args.seed)
        self.data_dir = Path(env["FAZHI_DATA_DIR"])
        self.system_tmp = Path(env["TMPDIR"])
        self.fixtures = root / "fixtures"
        self.fixtures.mkdir()
        self.expected = checks.Expectations()
        self.seen: set[str] = set()
        self.results: dict[str, dict] = {}
        self.worker: subprocess.Popen | None = None
        self.worker_started_at = None
        self.worker_log = (root / "worker.log").open("ab")
        self.calibration: dict[str, float] = {}
        self.large_files: list[str] = []

    # -- processes ---------------------------------------------------------------------------

    def start_worker(self) -> None:
        from django.utils import timezone

        self.worker_started_at = timezone.now()
        self.worker = subprocess.Popen(  # noqa: S603
            [*FAZHI, "worker"],
            cwd=ROOT,
            env=self.env,
            stdout=self.worker_log,
            stderr=self.worker_log,
            start_new_session=True,
        )

    def kill_worker(self) -> None:
        """SIGKILL the task worker's process group (a conversion it started in a session of its
        own lives on, as it would after the out-of-memory killer took the worker)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait()

    def stop_worker(self) -> None:
        if self.worker and self.worker.poll() is None:
            self.worker.send_signal(signal.SIGTERM)
            try:
                self.worker.wait(timeout=70)
            except subprocess.TimeoutExpired:
                self.kill_worker()

    def run(self, command: list[str], *, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603
            command, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )

    # -- waiting -----------------------------------------------------------------------------

    def wait_for(self, condition, *, timeout: float, every: float = 0.2):
        """Poll `condition` until it returns something true or `timeout` seconds pass."""
        from django.db import close_old_connections

        deadline = time.monotonic() + timeout
        while True:
            close_old_connections()
            value = condition()
            if value or time.monotonic() > deadline:
                return value
            time.sleep(every)

    def queue_idle(self, timeout: float = 180) -> bool:
        """No task waiting and none running in the current worker."""
        from django_tasks_db.models import DBTaskResult

        def idle():
            ready = DBTaskResult.objects.filter(status="READY").exists()
            running = DBTaskResult.objects.filter(
                status="RUNNING", started_at__gte=self.worker_started_at
            ).exists()
            return not ready and not running

        return bool(self.wait_for(idle, timeout=timeout, every=0.3))

    # -- results -----------------------------------------------------------------------------

    def record(
        self, kind: str, *, phase: str, seconds: float | None, problems=(), detail: str = ""
    ) -> None:
        """One kill: `phase` is counted in the summary, `detail` only printed."""
        entry = self.results.setdefault(kind, {"kills": 0, "phases": {}, "recover": [], "v": []})
        entry["kills"] += 1
        entry["phases"][phase] = entry["phases"].get(phase, 0) + 1
        # A kill whose work was never redone counts as an endless recovery.
        entry["recover"].append(math.inf if seconds is None else seconds)
        for key, message in problems:
            self.violation(kind, key, message)
        shown = f"{seconds:.1f} s" if seconds is not None else "未恢复"
        print(f"  {kind} #{entry['kills']}: {detail or phase}; 恢复 {shown}", flush=True)

    def violation(self, kind: str, key: str, message: str) -> None:
        if key in self.seen:
            return
        self.seen.add(key)
        self.results.setdefault(kind, {"kills": 0, "phases": {}, "recover": [], "v": []})
        self.results[kind]["v"].append(message)
        print(f"  ✗ [{kind}] {message}", flush=True)

    def check(self, kind: str) -> None:
        """The invariants, once the kills of `kind` are done and the work redone."""
        self.queue_idle()
        found = (
            checks.rows_whole()
            + checks.files_match()
            + checks.text_searchable(self.expected)
            + checks.uploads_kept(self.expected)
            + checks.files_imported(self.expected)
            + checks.frameworks_imported(self.expected)
            + checks.tasks_settled(self.worker_started_at)
            + checks.temp_left(self.env, self.system_tmp)
        )
        time.sleep(1)  # a conversion a killed worker left running gets a moment to finish
        found += checks.stray_processes(self.data_dir, self.tracked_pids())
        for key, message in found:
            self.violation(kind, key, message)

    def tracked_pids(self) -> set[int]:
        pids = set(self.web.all_pids())
        if self.worker and self.worker.poll() is None:
            pids |= {self.worker.pid, *descendants(self.worker.pid)}
        return pids

    # -- setting up --------------------------------------------------------------------------

    def settle_demo(self) -> None:
        """Who acts and on what. `fazhi demo-data` reads every file's text as it loads and also
        queues a reading of each for the worker; those repeats are dropped, so that the kills
        start on an idle queue."""
        from django.db.models import Count, Q
        from django_tasks_db.models import DBTaskResult
        from ingest import liaison_and_item

        from fazhi.accounts.models import User
        from fazhi.campaigns.models import Campaign, Item
        from fazhi.campaigns.services import LOCKED_STATES
        from fazhi.evidence.models import Blob, ExtractStatus

        pending = set(
            Blob.objects.filter(extract_status=ExtractStatus.PENDING).values_list("pk", flat=True)
        )
        for task in DBTaskResult.objects.filter(status="READY"):
            args = (task.args_kwargs or {}).get("args") or []
            if task.task_path.endswith("extract_blob_text") and args and args[0] not in pending:
                task.delete()
        self.admin = User.objects.get(username="sys_admin")
        self.liaison, self.item = liaison_and_item()
        self.token_id, self.token = api_token(self.liaison)
        # The smallest demo campaign with materials: a build of a few seconds.
        self.build_campaign = (
            Campaign.objects.annotate(n=Count("items__evidence"))
            .filter(n__gt=0)
            .order_by("n", "pk")
            .first()
        )
        self.import_campaign = self.item.campaign
        self.import_items = list(
            Item.objects.filter(campaign=self.import_campaign, children__isnull=True)
            .filter(~Q(assignments=None))
            .exclude(status__in=LOCKED_STATES)
            .distinct()
            .order_by("sort_key")
            .values_list("code", flat=True)[:8]
        )

    def prepare(self, kinds: list[str]) -> None:
        """Fixtures, and how long each kind's work takes uninterrupted: kill moments are drawn
        within that time."""
        if "import" in kinds:
            self.table = self.fixtures / "指标体系.xlsx"
            write_table(self.table, *TABLE_SHAPE)
            areas, groups, per = TABLE_SHAPE
            self.table_nodes = areas * (1 + groups * (1 + per))
            # Twice each, keeping the shorter: a first run also compiles and warms caches.
            for attempt in range(2):
                name = f"混沌校准{attempt + 1}"
                self.expected.frameworks[name] = self.table_nodes
                self.calibrate("framework", self.framework_command(name))
                folder = self.import_folder(f"calibration-{attempt + 1}")
                self.calibrate("import-dir", self.import_dir_command(folder))
        if "build" in kinds:
            # Twice: the first build converts the Word files, the next ones reuse that.
            for _ in range(2):
                self.queue_idle()
                build = self.request_build()
                self.wait_for(
                    lambda b=build.pk: self.build_status(b) != "queued", timeout=60, every=0.05
                )
                started = time.monotonic()
                self.wait_for(lambda b=build.pk: self.build_status(b) == "ready", timeout=300)
                self.calibration["build"] = time.monotonic() - started
        if "extract" in kinds:
            for attempt in range(2):
                for fmt in EXTRACT_FORMATS:
                    self.queue_idle()
                    marker = self.marker()
                    _, blob_id = self.upload_document(fmt, marker, f"calibration-{attempt}")
                    self.wait_for(lambda b=blob_id: self.task_running(b), timeout=60, every=0.05)
                    started = time.monotonic()
                    self.wait_for(
                        lambda b=blob_id: not self.text_pending(b), timeout=300, every=0.05
                    )
                    took = time.monotonic() - started
                    self.calibration[fmt] = min(took, self.calibration.get(fmt, took))
        shown = "，".join(f"{name} {seconds:.1f} s" for name, seconds in self.calibration.items())
        print(f"# 不中断时的用时：{shown or '（无）'}", flush=True)

    def calibrate(self, name: str, command: list[str]) -> None:
        started = time.perf_counter()
        done = self.run(command)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command[2:])} failed: {done.stderr[-500:]}")
        took = time.perf_counter() - started
        self.calibration[name] = min(took, self.calibration.get(name, took))

    def marker(self) -> str:
        """A word found in one file only: searching it finds exactly the materials holding it."""
        letters = "abcdefghjkmnpqrstuvwxyz"
        return "hd" + "".join(self.rng.choice(letters) for _ in range(8))

    # -- upload: the web server killed while a large file arrives ------------------------------

    def kill_upload(self, number: int) -> None:
        size = self.args.upload_mb * 1024 * 1024
        whole = number % 4 == 3
        fraction = self.rng.uniform(0.02, 1.3)
        plan = chunk_plan(size, self.rng)
        digest = hashlib.sha256()
        for chunk in replay(plan):
            digest.update(chunk)
        head, tail, content_type = multipart(f"会议录像-{number}.mp4", "video/mp4")
        connection = http.client.HTTPConnection("127.0.0.1", self.web.port, timeout=120)
        killed: list[float] = []
        phase = detail = ""

        def kill() -> None:
            killed.append(time.monotonic())
            self.kill_web(whole)

        timer = None
        status, body = None, b""
        try:
            connection.putrequest("POST", f"/api/evidence/items/{self.item.pk}/files")
            connection.putheader("Authorization", f"Bearer {self.token}")
            connection.putheader("Content-Type", content_type)
            connection.putheader("Content-Length", str(len(head) + size + len(tail)))
            connection.endheaders()
            connection.send(head)
            kill_at, sent = (int(size * fraction) if fraction < 1 else None), 0
            for chunk in replay(plan):
                if kill_at is not None and not killed and sent >= kill_at:
                    phase, detail = "接收中", f"接收到 {sent * 100 // size}%"
                    kill()
                connection.sock.sendall(chunk)
                sent += len(chunk)
            connection.send(tail)
            if not killed:
                timer = threading.Timer((fraction - 1) * 1.0, kill)
                timer.start()
            response = connection.getresponse()
            status, body = response.status, response.read()
        except (OSError, http.client.HTTPException):
            pass
        finally:
            if timer is not None:
                timer.join()
            connection.close()
        if not phase:
            phase = "已答复后" if status == 201 else "接收完、答复前"
            detail = f"{phase}（接收完 {(fraction - 1) * 1000:.0f} ms 后）"
        if status == 201:
            self.expected.answered_uploads[json.loads(body)[0]["evidence_id"]] = digest.hexdigest()
        elif status is not None:
            self.violation(
                "upload", f"upload-status:{number}", f"上传得到 {status}：{body[:200]!r}"
            )
        if whole:
            self.restart_web()
            phase, detail = f"{phase}（整个 serve）", f"{detail}（整个 fazhi serve）"
        taken = self.wait_for(lambda: self.small_upload_ok(number), timeout=self.timeout, every=0.3)
        seconds = time.monotonic() - killed[0] if taken else None
        problems = [] if taken else [(f"web-down:{number}", "Web 服务被杀后没有恢复接收上传")]
        self.record("upload", phase=phase, seconds=seconds, problems=problems, detail=detail)

    def kill_web(self, whole: bool) -> None:
        if whole:
            os.killpg(self.web.web.pid, signal.SIGKILL)
            self.web.web.wait()
            return
        for pid in self.web.gunicorn_workers():
            os.kill(pid, signal.SIGKILL)

    def restart_web(self) -> None:
        """Start `fazhi serve` again on the same port, as systemd would."""
        web = self.web
        web.processes.remove(web.web)
        out = web.log.open("ab")
        web.web = web._start([*FAZHI, "serve", "--no-worker", "--workers", str(web.workers)], out)
        web._wait_until_up()

    def small_upload_ok(self, number: int) -> bool:
        content = f"{number}-{time.time_ns()}".encode() + os.urandom(4096)
        try:
            status, body = self.api_upload(f"小文件-{number}.mp4", content, timeout=10)
        except (OSError, http.client.HTTPException):
            return False
        if status == 201:
            self.expected.answered_uploads[json.loads(body)[0]["evidence_id"]] = sha256(content)
        return status == 201

    def api_upload(self, name: str, content: bytes, *, timeout: float = 60) -> tuple[int, bytes]:
        head, tail, content_type = multipart(name, "application/octet-stream")
        connection = http.client.HTTPConnection("127.0.0.1", self.web.port, timeout=timeout)
        try:
            connection.request(
                "POST",
                f"/api/evidence/items/{self.item.pk}/files",
                body=head + content + tail,
                headers={"Authorization": f"Bearer {self.token}", "Content-Type": content_type},
            )
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    # -- import: the command killed mid-import, then run again --------------------------------

    def framework_command(self, name: str) -> list[str]:
        return [
            *FAZHI,
            "framework",
            "import",
            str(self.table),
            "--name",
            name,
            "--edition",
            "2026版",
        ]

    def import_dir_command(self, folder: Path) -> list[str]:
        return [*FAZHI, "evidence", "import-dir", str(self.import_campaign.pk), str(folder)]

    def import_folder(self, label) -> Path:
        """IMPORT_FILES text files with a marker word each, in folders named by item codes, and
        two large videos."""
        folder = self.fixtures / f"import-{label}"
        for index in range(IMPORT_FILES):
            code = self.import_items[index % len(self.import_items)]
            marker = self.marker()
            target = folder / f"{code} 佐证材料" / f"工作记录{index + 1}.txt"
            target.parent.mkdir(parents=True, exist_ok=True)
            text = f"{long_text(self.rng, 600)}\n记录编号 {marker}\n{long_text(self.rng, 600)}\n"
            target.write_text(text, encoding="utf-8")
            self.expected.markers[marker] = sha256(target.read_bytes())
        # Two large files too (--import-large-mb), imported last (the folder and names sort
        # last), so that kills also land while a file is copied into the store.
        last = max(f"{code} 佐证材料" for code in self.import_items)
        for index in range(2 if self.args.import_large_mb else 0):
            content = self.rng.randbytes(self.args.import_large_mb * 1024 * 1024)
            target = folder / last / f"资料录像{index + 1}.mp4"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            self.expected.stored_files.add(sha256(content))
            self.large_files.append(sha256(content))
        return folder

    def large_file_path(self) -> Path | None:
        """Where the store writes the newest folder's first large file (local disk only)."""
        from django.conf import settings

        if not self.large_files or getattr(settings, "STORAGES", {}).get("default", {}).get(
            "BACKEND", ""
        ).endswith("S3Storage"):
            return None
        sha = self.large_files[-2]
        return Path(settings.MEDIA_ROOT) / "blobs" / sha[:2] / sha[2:4] / sha

    def kill_import(self, number: int) -> None:
        from fazhi.frameworks.models import Framework, FrameworkImport

        framework = number % 2 == 0
        if framework:
            name = f"混沌指标体系{number}"
            command, took = self.framework_command(name), self.calibration["framework"]
            self.expected.frameworks[name] = self.table_nodes
        else:
            command = self.import_dir_command(self.import_folder(number))
            took = self.calibration["import-dir"]
        # Past the first fifth, most of which is the command starting up.
        delay = self.rng.uniform(0.2, 0.95) * took
        process = subprocess.Popen(  # noqa: S603
            command,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        label = "指标体系" if framework else "材料文件夹"
        # Every fourth folder is killed while its first large file is being written into the
        # store, a window too short for a delay drawn over the whole import to hit often.
        storing = None if framework or number % 4 != 3 else self.large_file_path()
        if storing is not None:
            self.wait_for(
                lambda: storing.exists() or process.poll() is not None,
                timeout=took * 3,
                every=0.001,
            )
            delay = self.rng.uniform(0, 0.05)
            time.sleep(delay)
        try:
            process.wait(timeout=0 if storing else delay)
            phase = f"{label}杀前已结束"
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            phase = f"{label}导入中" if storing is None else f"{label}写入大文件时"
        where = f"文件出现后 {delay * 1000:.0f} ms" if storing else f"约 {delay / took:.0%} 处"
        detail = f"{phase}（{where}）"
        killed = time.monotonic()
        problems = []
        if framework and Framework.objects.filter(name=name).exists():
            phase, detail = f"{label}已提交", f"{detail}，已提交"
        else:
            if framework and FrameworkImport.objects.filter(name=name).exists():
                phase, detail = f"{label}预览已存", f"{detail}，预览已存"
            rerun = self.run(command)
            if rerun.returncode != 0:
                problems.append(
                    (f"import-rerun:{number}", f"重新运行 {label}导入失败：{rerun.stderr[-300:]}")
                )
        seconds = time.monotonic() - killed
        self.record(
            "import",
            phase=phase,
            seconds=None if problems else seconds,
            problems=problems,
            detail=detail,
        )

    # -- build: the worker killed while it builds the filing ----------------------------------

    def request_build(self):
        from fazhi.filing.services import build_request

        return build_request(acting_user=self.admin, campaign=self.build_campaign)

    def build_status(self, build_id: int) -> str:
        from fazhi.filing.models import FilingBuild

        return FilingBuild.objects.values_list("status", flat=True).get(pk=build_id)

    def kill_build(self, number: int) -> None:
        from django.core.exceptions import ValidationError
        from django.utils import timezone

        from fazhi.filing.models import ACTIVE_STATUSES, BuildStatus, FilingBuild

        self.queue_idle()
        build = self.request_build()
        self.wait_for(lambda: self.build_status(build.pk) != "queued", timeout=60, every=0.05)
        time.sleep(self.rng.uniform(0, 0.9) * self.calibration["build"])
        status, stage = FilingBuild.objects.values_list("status", "stage").get(pk=build.pk)
        self.kill_worker()
        killed, killed_at = time.monotonic(), timezone.now()
        self.start_worker()
        phase = (stage.split()[0] if stage else "开始") if status == "running" else "已完成后"
        finished = FilingBuild.objects.filter(campaign=self.build_campaign, status="ready")

        def redone():
            return status == "ready" or finished.filter(finished_at__gte=killed_at).exists()

        problems = []
        if not self.wait_for(redone, timeout=self.timeout, every=0.3):
            row = FilingBuild.objects.get(pk=build.pk)
            problems.append(
                (
                    f"build-redo:{build.pk}",
                    f"被杀的生成 #{build.pk} 在 {self.timeout:.0f} s 内没有重做"
                    f"（{row.get_status_display()}，{row.stage}）",
                )
            )
            try:  # as the lead office would: ask for the build again
                self.request_build()
            except ValidationError as exc:
                problems.append(
                    (f"build-blocked:{build.pk}", f"重新生成被拒绝：{'；'.join(exc.messages)}")
                )
                # So that the next kill starts clean; the violation is recorded.
                FilingBuild.objects.filter(
                    campaign=self.build_campaign, status__in=ACTIVE_STATUSES
                ).update(status=BuildStatus.FAILED, error="chaos: 手工结束")
            else:
                self.wait_for(redone, timeout=self.timeout, every=0.3)
        seconds = None if problems else time.monotonic() - killed
        self.record("build", phase=phase, seconds=seconds, problems=problems)

    # -- extract: the worker killed while it reads a file's text ------------------------------

    def upload_document(self, fmt: str, marker: str, label) -> tuple[int, int]:
        from fazhi.evidence.models import Evidence

        content = long_document(fmt, marker, self.rng)
        status, body = self.api_upload(f"长篇材料-{label}.{fmt}", content)
        if status != 201:
            raise RuntimeError(f"upload refused: {status} {body[:300]!r}")
        evidence_id = json.loads(body)[0]["evidence_id"]
        self.expected.markers[marker] = sha256(content)
        blob_id = Evidence.objects.values_list("current__blob_id", flat=True).get(pk=evidence_id)
        return evidence_id, blob_id

    def task_running(self, blob_id: int) -> bool:
        from django_tasks_db.models import DBTaskResult

        rows = DBTaskResult.objects.filter(
            status="RUNNING", task_path__endswith="extract_blob_text"
        ).values_list("args_kwargs", flat=True)
        return any(((a or {}).get("args") or [None])[0] == blob_id for a in rows)

    def text_pending(self, blob_id: int) -> bool:
        from fazhi.evidence.models import Blob

        return Blob.objects.values_list("extract_status", flat=True).get(pk=blob_id) == "pending"

    def found_by_search(self, evidence_id: int, marker: str) -> bool:
        from fazhi.evidence import selectors

        hits = selectors.search_evidence(campaign=self.item.campaign, user=self.admin, query=marker)
        return hits.filter(pk=evidence_id).exists()

    def kill_extract(self, number: int) -> None:
        fmt = EXTRACT_FORMATS[number % len(EXTRACT_FORMATS)]
        self.queue_idle()
        marker = self.marker()
        evidence_id, blob_id = self.upload_document(fmt, marker, number)
        self.wait_for(
            lambda: self.task_running(blob_id) or not self.text_pending(blob_id),
            timeout=60,
            every=0.05,
        )
        fraction = self.rng.uniform(0, 0.9)
        time.sleep(fraction * self.calibration[fmt])
        pending = self.text_pending(blob_id)
        self.kill_worker()
        killed = time.monotonic()
        self.start_worker()
        phase = f"{fmt} 读取中" if pending else f"{fmt} 已读完"
        detail = f"{phase}（约 {fraction:.0%} 处）"
        found = self.wait_for(
            lambda: self.found_by_search(evidence_id, marker), timeout=self.timeout, every=0.3
        )
        problems = []
        if not found:
            state = "仍在等待提取" if self.text_pending(blob_id) else "已提取但搜不到"
            problems.append(
                (f"search:{evidence_id}", f"被杀时正在读取的材料 #{evidence_id}（{fmt}）{state}")
            )
        seconds = time.monotonic() - killed if found else None
        self.record("extract", phase=phase, seconds=seconds, problems=problems, detail=detail)

    @property
    def timeout(self) -> float:
        return self.args.recover_timeout
