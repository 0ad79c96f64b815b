"""Building the filing: the package, the bound volumes and the self-assessment report, made in a
working folder and stored only once all of them are complete.

A build is marked ready in the same transaction that records its files, so a build that fails or
is interrupted is never ready and leaves no file behind; asking again starts a fresh build. A
build whose worker died is run again from the start by the task's recovery, or given up after
FAZHI_TASK_MAX_ATTEMPTS (fazhi/core/taskrecovery.py); and as soon as its worker's lease has
expired a new request replaces it (the old worker, should it come back, sees that and stops)."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from fazhi.accounts.audit import audit_record
from fazhi.campaigns.models import Campaign
from fazhi.core.scoping import can_write_at
from fazhi.core.tempfiles import temp_dir
from fazhi.evidence.storage import file_sha256
from fazhi.filing.contents import filing_contents, safe_name
from fazhi.filing.models import (
    ACTIVE_STATUSES,
    BuildStatus,
    FileKind,
    FilingBuild,
    FilingFile,
    Split,
)
from fazhi.filing.package import write_package
from fazhi.filing.report import render_report
from fazhi.filing.selectors import build_interruption
from fazhi.filing.submissions import manifest_of

if TYPE_CHECKING:
    from fazhi.filing.volumes import Placeholder

log = logging.getLogger(__name__)

MIN_PAGE_BUDGET, MAX_PAGE_BUDGET = 50, 5000
STAGES = ("材料包", "汇编", "自评报告")
STEPS_PER_STAGE = 1000


class BuildAborted(Exception):
    """The build was taken over by a newer one while this worker was still at it."""


# -- asking for a build --------------------------------------------------------------------------


def build_request(
    *,
    acting_user,
    campaign: Campaign,
    split: str = Split.PAGES,
    page_budget: int = 400,
    approved_only: bool = False,
) -> FilingBuild:
    if not can_write_at(acting_user, FilingBuild, region=campaign.region):
        raise PermissionDenied("只有创建地区的牵头部门可以生成申报材料。")
    check_options(split=split, page_budget=page_budget)
    from fazhi.filing.tasks import run_filing_build  # the tasks module imports this one

    with transaction.atomic():
        Campaign.objects.select_for_update().get(pk=campaign.pk)  # one request at a time
        _retire_interrupted(campaign)
        running = FilingBuild.objects.filter(campaign=campaign, status__in=ACTIVE_STATUSES).first()
        if running is not None:
            raise ValidationError(
                f"已有一次生成正在进行（{timezone.localtime(running.created_at):%m-%d %H:%M} "
                "发起），请等它完成后再生成。"
            )
        build = FilingBuild.objects.create(
            campaign=campaign,
            split=split,
            page_budget=page_budget,
            approved_only=approved_only,
            requested_by=acting_user,
            total=len(STAGES) * STEPS_PER_STAGE,
        )
        audit_record(
            acting_user=acting_user,
            action="filing.build",
            target=build,
            region=campaign.region,
            after={"split": split, "page_budget": page_budget, "approved_only": approved_only},
        )
        # Enqueued inside the transaction: the database queue holds the task exactly when the
        # build row is committed.
        run_filing_build.enqueue(build.pk)
    build.refresh_from_db()
    return build


def check_options(*, split: str, page_budget: int) -> None:
    if split not in Split.values:
        raise ValidationError({"split": "分册方式只能是按页数（pages）或按一级指标（area）。"})
    if not MIN_PAGE_BUDGET <= page_budget <= MAX_PAGE_BUDGET:
        raise ValidationError(
            {"page_budget": f"每册页数上限应在 {MIN_PAGE_BUDGET}–{MAX_PAGE_BUDGET} 之间。"}
        )


def _retire_interrupted(campaign: Campaign) -> None:
    now = timezone.now()
    for build in FilingBuild.objects.filter(campaign=campaign, status__in=ACTIVE_STATUSES):
        reason = build_interruption(build, now=now)
        if not reason:
            continue
        retired = FilingBuild.objects.filter(pk=build.pk, status__in=ACTIVE_STATUSES).update(
            status=BuildStatus.FAILED,
            error=f"生成中断（{reason}），已由新的生成取代。",
            finished_at=now,
        )
        if retired:
            _delete_leftovers(campaign.pk, build.pk)


def build_requeued(build_id: int, *, attempts: int) -> None:
    """Its worker died mid-build and task recovery runs the task again: the build waits for it
    and starts from the beginning, without what the dead worker had stored."""
    build = FilingBuild.objects.filter(pk=build_id, status=BuildStatus.RUNNING).first()
    if build is None:  # retired meanwhile, or not yet started: the task skips or starts it
        return
    FilingBuild.objects.filter(pk=build_id, status=BuildStatus.RUNNING).update(
        status=BuildStatus.QUEUED, stage="", done=0, started_at=None, heartbeat_at=None
    )
    _delete_leftovers(build.campaign_id, build_id)


def build_given_up(build_id: int, *, attempts: int, message: str) -> None:
    """Its workers kept dying: the build fails with the reason, so a new one can be asked for."""
    build = FilingBuild.objects.filter(pk=build_id, status__in=ACTIVE_STATUSES).first()
    if build is None:
        return
    FilingBuild.objects.filter(pk=build_id, status__in=ACTIVE_STATUSES).update(
        status=BuildStatus.FAILED,
        finished_at=timezone.now(),
        error=f"生成中断：{message}请检查材料后重新生成。",
    )
    _delete_leftovers(build.campaign_id, build_id)


def _delete_leftovers(campaign_id: int, build_id: int) -> None:
    """A worker killed between storing its files and recording them leaves them behind with no
    row pointing at them; they go with the build that is retired."""
    folder = f"filings/{campaign_id}/{build_id}"
    try:
        _, names = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in names:
        default_storage.delete(f"{folder}/{name}")


# -- running it ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Produced:
    kind: str
    number: int
    path: Path
    pages: int | None = None
    placeholders: tuple[Placeholder, ...] = ()  # a volume's materials it could not bind


def build_run(build_id: int) -> str:
    """Run a queued build to the end. Returns its final status."""
    claimed = FilingBuild.objects.filter(pk=build_id, status=BuildStatus.QUEUED).update(
        status=BuildStatus.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    build = FilingBuild.objects.select_related("campaign__region").get(pk=build_id)
    stored: list[FilingFile] = []
    try:
        with temp_dir("filing-") as work:
            manifest: list[dict] = []
            produced = filing_produce(
                campaign=build.campaign,
                out_dir=Path(work),
                split=build.split,
                page_budget=build.page_budget,
                approved_only=build.approved_only,
                progress=BuildProgress(build.pk),
                manifest=manifest,
            )
            stored = [store_produced(build, item) for item in produced]
        _finish(build, stored, placeholders=placeholders_of(produced), manifest=manifest)
    except Exception as exc:  # whatever went wrong, nothing half-built may stay
        _discard(stored)
        _fail(build, exc)
        return BuildStatus.FAILED
    return BuildStatus.READY


def filing_produce(
    *,
    campaign: Campaign,
    out_dir: Path,
    split: str = Split.PAGES,
    page_budget: int = 400,
    approved_only: bool = False,
    progress: BuildProgress | None = None,
    today=None,
    manifest: list[dict] | None = None,
) -> list[Produced]:
    """Write the package, the volumes and the report into `out_dir`; shared by the web build and
    `fazhi filing build`. `manifest`, when given, receives the materials laid out (what a
    submission of this build freezes)."""
    # imported here: binding volumes needs pypdf, fpdf and Pillow, which only the task worker
    # (and `fazhi filing build`) should carry, not every web worker that asks for a build
    from fazhi.filing.volumes import build_volumes

    progress = progress or BuildProgress(None)
    indicators = filing_contents(campaign=campaign, approved_only=approved_only)
    if manifest is not None:
        manifest.extend(manifest_of(indicators))
    base = safe_name(campaign.name, 60)

    progress.stage(0)
    package = out_dir / f"{base}-材料包.zip"
    write_package(package, indicators=indicators, progress=progress)
    produced = [Produced(FileKind.PACKAGE, 0, package)]

    progress.stage(1)
    volumes = build_volumes(
        title=campaign.name,
        subtitle=campaign.region.name,
        indicators=indicators,
        out_dir=out_dir,
        split=split,
        page_budget=page_budget,
        progress=progress,
    )
    produced += [
        Produced(FileKind.VOLUME, v.number, Path(v.path), v.pages, v.placeholders) for v in volumes
    ]

    progress.stage(2)
    report = out_dir / f"{base}-自评报告.docx"
    with report.open("wb") as out:
        render_report(campaign=campaign, out=out, today=today)
    produced.append(Produced(FileKind.REPORT, 0, report))
    progress(1, 1)
    return produced


class BuildProgress:
    """Records how far a build has come, at most once a second, which is also its sign of life.
    Without a build (the command line) it only calls `echo`."""

    def __init__(self, build_id: int | None, echo: Callable[[str], None] | None = None) -> None:
        self.build_id, self.echo = build_id, echo
        self.index, self.last_write = 0, 0.0

    def stage(self, index: int) -> None:
        self.index = index
        self(0, 1, force=True)

    def __call__(self, done: int, total: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last_write < 1 and done < total:
            return
        self.last_write = now
        label = f"{STAGES[self.index]} {done}/{total}"
        if self.echo:
            self.echo(label)
        if self.build_id is None:
            return
        steps = self.index * STEPS_PER_STAGE + (done * STEPS_PER_STAGE // total if total else 0)
        alive = FilingBuild.objects.filter(pk=self.build_id, status=BuildStatus.RUNNING).update(
            stage=label, done=steps, heartbeat_at=timezone.now()
        )
        if not alive:
            raise BuildAborted("该次生成已被新的生成取代。")


def store_produced(build: FilingBuild, item: Produced) -> FilingFile:
    with item.path.open("rb") as content:
        digest, size = file_sha256(content)
        name = default_storage.save(
            f"filings/{build.campaign_id}/{build.pk}/{item.path.name}", File(content)
        )
    return FilingFile(
        build=build,
        kind=item.kind,
        number=item.number,
        name=item.path.name,
        storage_name=name,
        size=size,
        sha256=digest,
        pages=item.pages,
    )


def placeholders_of(produced: list[Produced]) -> list[dict]:
    """The materials shown by a placeholder page, as the build's summary and the command's JSON
    list them."""
    return [asdict(p) for item in produced for p in item.placeholders]


def unbound_notice(placeholders: list[dict]) -> str:
    """The command line's account of the materials shown by a placeholder page."""
    lines = [f"以下 {len(placeholders)} 个文件无法装订，已以占位页代替："]
    lines += [
        f"  {p['code']} {p['title']}（{p['name']}）：{p['reason']} 原件见材料包 {p['package_path']}"
        for p in placeholders
    ]
    return "\n".join(lines)


def _finish(
    build: FilingBuild, files: list[FilingFile], *, placeholders: list[dict], manifest: list[dict]
) -> None:
    with transaction.atomic():
        ready = FilingBuild.objects.filter(pk=build.pk, status=BuildStatus.RUNNING).update(
            status=BuildStatus.READY,
            finished_at=timezone.now(),
            done=len(STAGES) * STEPS_PER_STAGE,
            stage="完成",
            summary={**build_summary(files, placeholders), "manifest": manifest},
        )
        if not ready:
            raise BuildAborted("该次生成已被新的生成取代。")
        FilingFile.objects.bulk_create(files)
    _prune_old_builds(build)


def build_summary(files: list[FilingFile], placeholders: list[dict]) -> dict:
    volumes = [f for f in files if f.kind == FileKind.VOLUME]
    return {
        "files": len(files),
        "bytes": sum(f.size for f in files),
        "volumes": len(volumes),
        "pages": sum(f.pages or 0 for f in volumes),
        "placeholders": placeholders,
    }


def _prune_old_builds(build: FilingBuild) -> None:
    """Each build copies every material again; keep the files of the newest few ready builds,
    and always those of a submitted build (the province reads them)."""
    keep = settings.FAZHI_FILING_KEEP_BUILDS
    older = (
        FilingBuild.objects.filter(campaign_id=build.campaign_id, status=BuildStatus.READY)
        .exclude(submissions__isnull=False)
        .order_by("-finished_at", "-pk")[keep:]
    )
    files = list(FilingFile.objects.filter(build__in=list(older)))
    FilingFile.objects.filter(pk__in=[f.pk for f in files]).delete()
    _discard(files)


def _discard(files: list[FilingFile]) -> None:
    for file in files:
        try:
            default_storage.delete(file.storage_name)
        except OSError:  # already gone: nothing to clean
            log.warning("could not delete %s", file.storage_name)


def _fail(build: FilingBuild, exc: Exception) -> None:
    if isinstance(exc, BuildAborted):
        return  # the newer build owns the row's fate
    log.exception("filing build %s failed", build.pk)
    message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    FilingBuild.objects.filter(pk=build.pk, status=BuildStatus.RUNNING).update(
        status=BuildStatus.FAILED,
        finished_at=timezone.now(),
        error=message or exc.__class__.__name__,
    )


# -- the command line ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FolderBuild:
    files: list[Path]
    placeholders: list[dict]


def filing_build_to_folder(
    *, campaign: Campaign, folder: Path, echo: Callable[[str], None] | None = None, **options
) -> FolderBuild:
    """`fazhi filing build`: made in a working folder beside the target, then moved in, so the
    target never holds a half-written file."""
    check_options(
        split=options.get("split", Split.PAGES), page_budget=options.get("page_budget", 400)
    )
    folder.mkdir(parents=True, exist_ok=True)
    with temp_dir(".fazhi-filing-", near=folder) as work:
        produced = filing_produce(
            campaign=campaign, out_dir=Path(work), progress=BuildProgress(None, echo), **options
        )
        targets = []
        for item in produced:
            target = folder / item.path.name
            os.replace(item.path, target)
            targets.append(target)
    return FolderBuild(targets, placeholders_of(produced))
