"""Submitting the filing (提交申报): the lead office submits its latest ready build as a frozen
version — which materials in which versions and order, the package's and the report's SHA-256 —
that the province's written review reads. While that version is in force the campaign is
read-only (`fazhi/filing/freeze.py`); the lead office may reopen it with a reason, and the next
submission is a new version listing what changed since the one before."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fazhi.accounts.audit import audit_record
from fazhi.accounts.system import stored_user
from fazhi.campaigns.models import Campaign
from fazhi.core.scoping import can_write_at
from fazhi.filing.contents import Indicator, filing_contents
from fazhi.filing.models import BuildStatus, FileKind, FilingBuild, FilingSubmission

NOTE_MAX = 1000
REASON_MAX = 1000


def manifest_of(indicators: list[Indicator]) -> list[dict]:
    """The filing as a list a later version can be compared with: each material's place,
    item, version and content."""
    return [
        {
            "number": m.number,
            "code": indicator.code,
            "evidence": m.evidence_id,
            "version": m.version_id,
            "version_number": m.version_number,
            "title": m.title,
            "unit": m.unit,
            "pages": m.pages,
            "sha256": m.blob.sha256,
        }
        for indicator in indicators
        for m in indicator.materials
    ]


def current_manifest(campaign: Campaign, *, approved_only: bool = False) -> list[dict]:
    return manifest_of(filing_contents(campaign=campaign, approved_only=approved_only))


def same_filing(a: list[dict], b: list[dict]) -> bool:
    """The same materials, versions, order and index entries. Page counts are left aside: a
    file's pages may be counted by the text extraction after the build."""

    def key(manifest):
        return [{k: v for k, v in m.items() if k != "pages"} for m in manifest]

    return key(a) == key(b)


def manifest_changes(previous: list[dict] | None, current: list[dict]) -> dict:
    """What changed since the previous version: materials added, removed, with a new file
    version, or at another place within their indicator."""
    if previous is None:
        return {"first": True, "added": [], "removed": [], "replaced": [], "moved": []}
    before = {m["evidence"]: m for m in previous}
    after = {m["evidence"]: m for m in current}
    places_before, places_after = _places(previous), _places(current)

    def brief(m: dict) -> dict:
        return {k: m[k] for k in ("code", "evidence", "title", "version_number")}

    replaced, moved = [], []
    for pk in after.keys() & before.keys():
        if after[pk]["version"] != before[pk]["version"]:
            replaced.append({**brief(after[pk]), "from_version": before[pk]["version_number"]})
        if places_after[pk] != places_before[pk]:
            moved.append(
                {**brief(after[pk]), "from_place": places_before[pk], "to_place": places_after[pk]}
            )
    order = {pk: n for n, pk in enumerate(after)}
    return {
        "first": False,
        "added": [brief(after[pk]) for pk in after if pk not in before],
        "removed": [brief(before[pk]) for pk in before if pk not in after],
        "replaced": sorted(replaced, key=lambda m: order[m["evidence"]]),
        "moved": sorted(moved, key=lambda m: order[m["evidence"]]),
    }


def _places(manifest: list[dict]) -> dict[int, tuple[str, int]]:
    """Each material's indicator and place within it."""
    places, counts = {}, {}
    for m in manifest:
        counts[m["code"]] = counts.get(m["code"], 0) + 1
        places[m["evidence"]] = (m["code"], counts[m["code"]])
    return places


def change_count(changes: dict) -> int:
    return sum(len(changes.get(k, [])) for k in ("added", "removed", "replaced", "moved"))


def _check_owner(acting_user, campaign: Campaign, doing: str) -> None:
    if not can_write_at(acting_user, FilingSubmission, region=campaign.region):
        raise PermissionDenied(f"只有创建地区的牵头部门可以{doing}。")


def submission_create(*, acting_user, campaign: Campaign, note: str = "") -> FilingSubmission:
    """Submit the latest ready build. Refused while a submitted version is in force, without a
    complete build, or when the 申报清单 or a material changed after that build."""
    _check_owner(acting_user, campaign, "提交申报")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"提交说明不超过 {NOTE_MAX} 字。"})
    with transaction.atomic():
        Campaign.objects.select_for_update().get(pk=campaign.pk)  # one submission at a time
        previous = campaign.filing_submissions.order_by("-number").first()
        if previous is not None and previous.is_open:
            raise ValidationError(
                f"第{previous.number}版已提交且仍然有效；如需再次提交，请先写明原因重新打开。"
            )
        build = _ready_build(campaign)
        files = {f.kind: f for f in build.files.all() if f.kind != FileKind.VOLUME}
        if FileKind.PACKAGE not in files or FileKind.REPORT not in files:
            raise ValidationError("最近一次生成的文件已被清理，请重新生成申报材料后再提交。")
        manifest = build.summary.get("manifest")
        if manifest is None:
            raise ValidationError("最近一次生成没有记录申报清单（生成于本功能之前），请重新生成。")
        if not same_filing(current_manifest(campaign, approved_only=build.approved_only), manifest):
            raise ValidationError(
                f"最近一次生成（{timezone.localtime(build.finished_at):%m-%d %H:%M}）之后，"
                "申报清单或材料有改动，请重新生成申报材料后再提交。"
            )
        submission = FilingSubmission.objects.create(
            campaign=campaign,
            number=previous.number + 1 if previous else 1,
            build=build,
            package_sha256=files[FileKind.PACKAGE].sha256,
            report_sha256=files[FileKind.REPORT].sha256,
            manifest=manifest,
            changes=manifest_changes(previous.manifest if previous else None, manifest),
            note=note,
            submitted_by=stored_user(acting_user),
        )
        audit_record(
            acting_user=acting_user,
            action="filing.submit",
            target=submission,
            region=campaign.region,
            summary=f"{campaign.name} 提交申报第{submission.number}版，{len(manifest)} 份材料",
            after={
                "number": submission.number,
                "build": build.pk,
                "materials": len(manifest),
                "package_sha256": submission.package_sha256,
                "changes": change_count(submission.changes),
            },
        )
    return submission


def _ready_build(campaign: Campaign) -> FilingBuild:
    build = (
        FilingBuild.objects.filter(campaign=campaign, status=BuildStatus.READY)
        .order_by("-finished_at", "-pk")
        .prefetch_related("files")
        .first()
    )
    if build is None:
        raise ValidationError("还没有生成完成的申报材料，请先生成再提交。")
    return build


def submission_reopen(*, acting_user, campaign: Campaign, reason: str) -> FilingSubmission:
    """Lift the freeze of the version in force, for the reason given; it stays on record and
    the next submission lists what changed since it."""
    _check_owner(acting_user, campaign, "重新打开申报")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "重新打开申报须写明原因。"})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"原因不超过 {REASON_MAX} 字。"})
    with transaction.atomic():
        Campaign.objects.select_for_update().get(pk=campaign.pk)
        submission = campaign.filing_submissions.order_by("-number").first()
        if submission is None or not submission.is_open:
            raise ValidationError("本活动没有生效中的申报提交，无需重新打开。")
        submission.reopened_at = timezone.now()
        submission.reopened_by = stored_user(acting_user)
        submission.reopen_reason = reason
        submission.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
        audit_record(
            acting_user=acting_user,
            action="filing.reopen",
            target=submission,
            region=campaign.region,
            summary=f"{campaign.name} 重新打开申报第{submission.number}版：{reason}",
            after={"number": submission.number, "reason": reason},
        )
    return submission
