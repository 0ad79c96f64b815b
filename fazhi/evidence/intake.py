"""What becomes of a file handed in, whichever way it came: dropped on an item's page, posted to
the API, sent to a campaign's ZIP page, or found in a folder by `fazhi evidence import-dir`.

One rule for all of them: a ZIP archive (chosen by its name, since .docx, .xlsx and .ofd files
are ZIPs too) is unpacked under the limits of archives.py and each of its files becomes a
material; any other file is one material. Each file lands on the item it was handed to, or, when
handed to the campaign, on the item its path names (placement.py), in its own transaction, and
gets a result of its own. An archive refused as a whole (empty, damaged, too large, a zip bomb,
a name that cannot be read) gets one result saying why, in one sentence naming it.

Members of an uploaded archive keep their paths in it. An archive found in a folder tree is like
a ZIP inside a ZIP: its members are named under the archive's path without ".zip", so the
folders around it still say which item they belong to."""

from __future__ import annotations

import io
import os
from dataclasses import replace
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File

from fazhi.campaigns.models import Campaign, Item
from fazhi.campaigns.services import check_item_open_for_evidence
from fazhi.core.actions import error_text
from fazhi.core.tempfiles import temp_dir
from fazhi.evidence.archives import ArchiveError, ArchiveLimits, is_zip, unpack_zip
from fazhi.evidence.placement import UNMATCHED, ItemIndex
from fazhi.evidence.services import FileOutcome, check_received, upload_one, uploading_unit
from fazhi.evidence.uploads import readable_name

ARCHIVE_SUFFIX = ".zip"
JUNK_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
NOT_AN_ARCHIVE = "“{name}”不是有效的 ZIP 压缩包。"
REFUSED = "“{name}”：{reason}"
EMPTY = "压缩包中没有文件（文件夹和系统文件不算），请检查压缩时是否选中了材料。"


def is_archive(name: str) -> bool:
    return name.casefold().endswith(ARCHIVE_SUFFIX)


def archive_limits() -> ArchiveLimits:
    return ArchiveLimits(
        max_members=settings.FAZHI_ZIP_MAX_FILES,
        max_total_bytes=settings.FAZHI_ZIP_MAX_BYTES,
        max_member_bytes=settings.FAZHI_UPLOAD_MAX_BYTES,
    )


class _Placement:
    """Where files land: on the one item they were handed to, or on the item each path names.
    Every item of the campaign is looked up, so that a file for an item the unit was not given
    is refused with that reason instead of "not found"; the upload checks the right."""

    def __init__(self, campaign: Campaign, item: Item | None):
        self.campaign, self.item, self._index = campaign, item, None

    def item_for(self, path: str) -> Item | None:
        if self.item is not None:
            return self.item
        if self._index is None:
            self._index = ItemIndex(list(self.campaign.items.all()))
        return self._index.item_for_path(path)


def receive_file(
    *, acting_user, campaign: Campaign, name: str, file: File, item: Item | None = None, unit=None
) -> list[FileOutcome]:
    """One uploaded file, for `item` or, without one, for the item its path names: the results
    of its members when it is an archive, else its own."""
    return _receive(acting_user, _Placement(campaign, item), name, file, unit, members_under="")


def import_archive(
    *, acting_user, campaign: Campaign, name: str, file: File, item: Item | None = None, unit=None
) -> list[FileOutcome]:
    """Unpack an archive and store each member. Raises ValidationError, one sentence naming the
    archive, when it is refused as a whole."""
    placement = _Placement(campaign, item)
    return _import_archive(acting_user, placement, name, file, unit, members_under="")


def import_directory(*, acting_user, campaign: Campaign, root: Path, unit=None):
    """Every file under `root`, archives unpacked, each on the item its path names."""
    placement = _Placement(campaign, None)
    outcomes = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name.lower() in JUNK_NAMES:
            continue
        # Names on disk are bytes: a USB stick written on Chinese Windows holds GBK ones, maybe
        # in a folder named in UTF-8, so each is read on its own.
        parts = path.relative_to(root).parts
        relative = "/".join(readable_name(os.fsencode(part)) for part in parts)
        members_under = relative[: -len(ARCHIVE_SUFFIX)] + "/"
        with path.open("rb") as handle:
            file = File(handle, name=PurePosixPath(relative).name)
            outcomes += _receive(acting_user, placement, relative, file, unit, members_under)
    return outcomes


def _receive(acting_user, placement, path, file, unit, members_under) -> list[FileOutcome]:
    if not is_archive(path):
        return [_store(acting_user, placement, path, file, unit)]
    try:
        return _import_archive(acting_user, placement, path, file, unit, members_under)
    except (ValidationError, PermissionDenied) as exc:
        item = placement.item_for(path)
        return [FileOutcome(path, item.code if item else "", error=error_text(exc))]


def _import_archive(acting_user, placement, path, file, unit, members_under):
    name = PurePosixPath(path).name
    check_received(name, file.size)
    if placement.item is not None:
        # Every member would be refused for the same reason: say it once, before unpacking.
        uploading_unit(acting_user, placement.item, unit)
        check_item_open_for_evidence(placement.item)
    with temp_dir("zip-") as folder:
        source = _on_disk(file, folder)
        if not is_zip(source):
            raise ValidationError(NOT_AN_ARCHIVE.format(name=name))
        (folder / "members").mkdir()
        try:
            result = unpack_zip(source, folder / "members", limits=archive_limits())
        except ArchiveError as exc:
            raise ValidationError(REFUSED.format(name=name, reason=exc)) from exc
        if not result.members and not result.skipped:
            raise ValidationError(REFUSED.format(name=name, reason=EMPTY))
        outcomes = [
            FileOutcome(members_under + skipped.path, error=skipped.reason, archive=path)
            for skipped in result.skipped
        ]
        for member in result.members:
            with member.temp_path.open("rb") as handle:
                member_path = members_under + member.path
                member_file = File(handle, name=PurePosixPath(member.path).name)
                outcome = _store(acting_user, placement, member_path, member_file, unit)
            outcomes.append(replace(outcome, archive=path))
    return outcomes


def _store(acting_user, placement, path, file, unit) -> FileOutcome:
    item = placement.item_for(path)
    if item is None:
        return FileOutcome(path, error=UNMATCHED)
    return upload_one(acting_user=acting_user, item=item, path=path, file=file, unit=unit)


def _on_disk(file: File, folder: Path) -> Path:
    """The archive as a file on disk, where zipfile can seek in it: an upload already streamed
    to a temporary file, a file opened from a folder, or else a copy in `folder`."""
    if hasattr(file, "temporary_file_path"):
        return Path(file.temporary_file_path())
    handle = getattr(file, "file", None)
    if isinstance(handle, io.BufferedReader) and isinstance(handle.name, str):
        return Path(handle.name)
    copy = folder / "archive.zip"
    with copy.open("wb") as out:
        for chunk in file.chunks():
            out.write(chunk)
    return copy
