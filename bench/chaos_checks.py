"""The invariants bench/chaos.py checks once the work interrupted by its kills has been redone.
Each check returns violations as (key, message): the key names the row or file, so that a
violation found again by a later check is counted once, for the kind of kill that caused it.

Read from the database and the storage the environment names, as the platform does; nothing
here writes, except `fazhi temp sweep`, which is run as the platform runs it."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

CHUNK = 1024 * 1024
Violation = tuple[str, str]


@dataclass
class Expectations:
    """What the kills' work should have left once redone: materials findable by a word of their
    text (marker → SHA-256 of the file holding it), stored content sent by clients that were
    answered, frameworks whose import was rerun (name → nodes), builds that must have finished."""

    markers: dict[str, str] = field(default_factory=dict)
    answered_uploads: dict[int, str] = field(default_factory=dict)  # evidence id → SHA-256
    stored_files: set[str] = field(default_factory=set)  # SHA-256 of files imported
    frameworks: dict[str, int] = field(default_factory=dict)
    campaign_ids: set[int] = field(default_factory=set)


def rows_whole() -> list[Violation]:
    """No half-written row: every material has a current version of its own whose blob is
    stored; every material has its search words, built from its current text; frameworks hold
    the nodes they count; builds are finished and ready ones hold their files."""
    from django.conf import settings
    from django.db.models import Count, F, Q

    from fazhi.evidence.indexing import _fingerprint, text_sha256
    from fazhi.evidence.models import Evidence, EvidenceVersion, SearchDocument
    from fazhi.filing.models import ACTIVE_STATUSES, BuildStatus, FilingBuild
    from fazhi.frameworks.models import Framework

    found: list[Violation] = []
    for pk in Evidence.objects.filter(current__isnull=True).values_list("pk", flat=True):
        found.append((f"evidence:{pk}", f"材料 #{pk} 没有当前版本（半写入的行）"))
    crossed = Evidence.objects.exclude(current__isnull=True).exclude(current__evidence_id=F("pk"))
    for pk in crossed.values_list("pk", flat=True):
        found.append((f"evidence:{pk}", f"材料 #{pk} 的当前版本属于别的材料"))
    unstored = EvidenceVersion.objects.filter(blob__size__lte=0)
    for pk in unstored.values_list("pk", flat=True):
        found.append((f"version:{pk}", f"版本 #{pk} 指向空文件"))
    with_document = set(SearchDocument.objects.values_list("evidence_id", flat=True))
    rows = Evidence.objects.values_list(
        "pk",
        "title",
        "doc_number",
        "description",
        "item__code",
        "item__campaign_id",
        "current__blob__text",
        "search_document__fingerprint",
    )
    for pk, title, number, description, code, campaign_id, text, stored in rows.iterator():
        if pk not in with_document:
            found.append((f"search:{pk}", f"材料 #{pk} 没有搜索索引"))
            continue
        expected = _fingerprint(
            campaign_id=campaign_id,
            title=title,
            doc_number=number,
            description=description,
            item_code=code,
            text_hash=text_sha256(text or ""),
        )
        if stored != expected:
            found.append((f"search:{pk}", f"材料 #{pk} 的搜索索引与其文字不一致"))
    counted = Framework.objects.annotate(
        nodes_found=Count("nodes", distinct=True),
        leaves_found=Count("nodes", filter=Q(nodes__children=None), distinct=True),
    )
    wrong = counted.exclude(node_count=F("nodes_found"), leaf_count=F("leaves_found"))
    for framework in wrong:
        found.append(
            (
                f"framework:{framework.pk}",
                f"指标体系 #{framework.pk}“{framework}”记 {framework.node_count} 个节点、"
                f"{framework.leaf_count} 个末级，实有 {framework.nodes_found} 个、"
                f"{framework.leaves_found} 个",
            )
        )
    for build in FilingBuild.objects.filter(status__in=ACTIVE_STATUSES):
        found.append(
            (
                f"build:{build.pk}",
                f"申报材料生成 #{build.pk} 仍为“{build.get_status_display()}”（{build.stage}）",
            )
        )
    # Only the newest ready builds of a campaign keep their files (FAZHI_FILING_KEEP_BUILDS).
    kept: dict[int, int] = {}
    ready = FilingBuild.objects.filter(status=BuildStatus.READY).annotate(n=Count("files"))
    for build in ready.order_by("campaign_id", "-finished_at", "-pk"):
        kept[build.campaign_id] = kept.get(build.campaign_id, 0) + 1
        if kept[build.campaign_id] > settings.FAZHI_FILING_KEEP_BUILDS:
            continue
        expected_files = (build.summary or {}).get("files")
        if build.n < 3 or (expected_files is not None and build.n != expected_files):
            found.append(
                (f"build:{build.pk}", f"已完成的生成 #{build.pk} 只记录了 {build.n} 个文件")
            )
    return found


def files_match() -> list[Violation]:
    """Every blob and every filing file has its stored file, of its size and SHA-256; no file
    in the blob or filing folders without a row pointing at it (content half-written by a killed
    process, or written and never recorded)."""
    from django.core.files.storage import default_storage

    from fazhi.evidence.models import Blob
    from fazhi.filing.models import FilingFile

    found: list[Violation] = []
    known: set[str] = set()
    stored = [
        ("blob", pk, name, size, sha)
        for pk, name, size, sha in Blob.objects.values_list("pk", "storage_name", "size", "sha256")
    ] + [
        ("filingfile", pk, name, size, sha)
        for pk, name, size, sha in FilingFile.objects.values_list(
            "pk", "storage_name", "size", "sha256"
        )
    ]
    for kind, pk, name, size, sha in stored:
        known.add(name)
        digest, length = _hash_stored(default_storage, name)
        if digest is None:
            found.append((f"{kind}:{pk}", f"{kind} #{pk} 的文件 {name} 不存在"))
        elif length != size or digest != sha:
            found.append(
                (
                    f"{kind}:{pk}",
                    f"{kind} #{pk} 的文件 {name} 与记录不符（{length} 字节，记录 {size} 字节；"
                    f"SHA-256 {'相符' if digest == sha else '不符'}）",
                )
            )
    for name in _walk(default_storage, "blobs") + _walk(default_storage, "filings"):
        if name not in known:
            digest, length = _hash_stored(default_storage, name)
            whole = digest is not None and Path(name).name.startswith(digest)
            found.append(
                (
                    f"file:{name}",
                    f"存储中的文件 {name}（{length} 字节）没有记录指向它"
                    + ("" if whole or name.startswith("filings") else "，内容与文件名的哈希不符"),
                )
            )
    return found


def _hash_stored(storage, name: str) -> tuple[str | None, int]:
    try:
        source = storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        return None, 0
    hasher, length = hashlib.sha256(), 0
    with source:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            hasher.update(chunk)
            length += len(chunk)
    return hasher.hexdigest(), length


def _walk(storage, folder: str) -> list[str]:
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return []
    names = [f"{folder}/{name}" for name in files]
    for sub in folders:
        names += _walk(storage, f"{folder}/{sub}")
    return names


def text_searchable(expected: Expectations) -> list[Violation]:
    """Every file's text was read (none left waiting), and every material holding a file with a
    marker word is found by searching for that word, as a user would search its campaign."""
    from fazhi.accounts.models import User
    from fazhi.campaigns.models import Campaign
    from fazhi.evidence import selectors
    from fazhi.evidence.models import Blob, Evidence, ExtractStatus

    found: list[Violation] = []
    waiting = Blob.objects.filter(extract_status=ExtractStatus.PENDING, versions__isnull=False)
    for pk in waiting.distinct().values_list("pk", flat=True):
        found.append((f"blob-text:{pk}", f"文件 blob #{pk} 的文字仍在等待提取"))
    admin = User.objects.filter(is_superuser=True).order_by("pk").first() or User.objects.get(
        username="sys_admin"
    )
    for marker, sha in expected.markers.items():
        holders = Evidence.objects.alive().filter(current__blob__sha256=sha)
        by_campaign: dict[int, set[int]] = {}
        for pk, campaign_id in holders.values_list("pk", "item__campaign_id"):
            by_campaign.setdefault(campaign_id, set()).add(pk)
        if not by_campaign:
            found.append((f"marker:{marker}", f"含“{marker}”的文件没有成为任何材料"))
        for campaign_id, ids in by_campaign.items():
            campaign = Campaign.objects.get(pk=campaign_id)
            hits = set(
                selectors.search_evidence(campaign=campaign, user=admin, query=marker).values_list(
                    "pk", flat=True
                )
            )
            for pk in sorted(ids - hits):
                found.append((f"search:{pk}", f"搜索“{marker}”找不到材料 #{pk}"))
    return found


def uploads_kept(expected: Expectations) -> list[Violation]:
    """An upload the server answered with 201 is there, holding exactly the bytes sent."""
    from fazhi.evidence.models import Evidence

    found: list[Violation] = []
    for evidence_id, sha in expected.answered_uploads.items():
        evidence = Evidence.objects.filter(pk=evidence_id).select_related("current__blob").first()
        if evidence is None or evidence.current is None:
            found.append((f"evidence:{evidence_id}", f"已答复 201 的上传 #{evidence_id} 不存在"))
        elif evidence.current.blob.sha256 != sha:
            found.append((f"evidence:{evidence_id}", f"上传 #{evidence_id} 的内容与发送的不同"))
    return found


def files_imported(expected: Expectations) -> list[Violation]:
    """Every file of an imported folder is a material."""
    from fazhi.evidence.models import Evidence

    found: list[Violation] = []
    present = set(
        Evidence.objects.alive()
        .filter(current__blob__sha256__in=expected.stored_files)
        .values_list("current__blob__sha256", flat=True)
    )
    for sha in sorted(expected.stored_files - present):
        found.append((f"imported:{sha}", f"导入的文件 {sha[:12]}… 没有成为材料"))
    return found


def frameworks_imported(expected: Expectations) -> list[Violation]:
    from fazhi.frameworks.models import Framework

    found: list[Violation] = []
    for name, nodes in expected.frameworks.items():
        rows = list(Framework.objects.filter(name=name))
        if len(rows) != 1 or rows[0].nodes.count() != nodes:
            counts = [r.nodes.count() for r in rows]
            found.append(
                (
                    f"framework-name:{name}",
                    f"指标体系“{name}”应有 1 份 {nodes} 个节点，实有 {counts}",
                )
            )
    return found


def tasks_settled(worker_started_at) -> list[Violation]:
    """No task row left running by a worker that is gone, none waiting that nobody runs."""
    from django.db.models import Q
    from django_tasks_db.models import DBTaskResult

    found: list[Violation] = []
    stuck = DBTaskResult.objects.filter(status="RUNNING").filter(
        Q(started_at__lt=worker_started_at) | Q(started_at__isnull=True)
    )
    for task in stuck:
        found.append(
            (
                f"task:{task.pk}",
                f"任务 {task.task_path.rsplit('.', 1)[-1]}{task.args_kwargs.get('args')} "
                "在被杀的进程中一直处于 RUNNING",
            )
        )
    waiting = DBTaskResult.objects.filter(status="READY").count()
    if waiting:
        found.append(("tasks-waiting", f"恢复后仍有 {waiting} 个任务排队未执行"))
    return found


def temp_left(env: dict[str, str], system_tmp: Path) -> list[Violation]:
    """After `fazhi temp sweep` (when the platform has it), no file is left in the temp area but
    in the folders of processes still running, and none in the system temp folder the processes
    were given (where temporary files went before the temp area)."""
    from django.conf import settings

    found: list[Violation] = []
    sweep = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "fazhi.cli", "temp", "sweep"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if sweep.returncode != 0:
        found.append(
            ("temp-sweep", f"fazhi temp sweep 不可用或失败：{sweep.stderr.strip()[-200:]}")
        )
    area = getattr(settings, "FAZHI_TEMP_DIR", None)
    alive = _owner_check()
    if area is not None and Path(area).is_dir():
        for entry in Path(area).iterdir():
            if alive is not None and entry.is_dir() and alive(entry.name):
                files = [p for p in entry.rglob("*") if p.is_file()]
                for path in files:
                    found.append((f"temp:{path.name}", f"运行中进程的临时文件 {path}（静止时）"))
                continue
            size = _size(entry)
            found.append((f"temp:{entry.name}", f"清理后仍留在临时区：{entry}（{size} 字节）"))
    for entry in system_tmp.iterdir() if system_tmp.is_dir() else []:
        found.append(
            (f"systmp:{entry.name}", f"系统临时目录中留下：{entry.name}（{_size(entry)} 字节）")
        )
    return found


def _owner_check():
    try:
        from fazhi.core.tempfiles import owner_alive
    except ImportError:
        return None
    return lambda name: owner_alive(name) is True


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def stray_processes(data_dir: Path, tracked: set[int]) -> list[Violation]:
    """No process working on this data folder outlived the process that started it (a
    conversion a killed worker left running)."""
    found: list[Violation] = []
    marker = f"FAZHI_DATA_DIR={data_dir}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in tracked or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in environ.split(b"\0"):
            found.append((f"process:{entry.name}", f"遗留进程 {entry.name}：{command[:120]}"))
    return found
