"""Many files at once: a ZIP uploaded on a page, or a folder tree on the server's disk
(`fazhi evidence import-dir`). Each file lands on the item its path names (or on the one item
the ZIP was uploaded to), in its own transaction, and gets a result line of its own."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.files import File

from fazhi.campaigns.models import Campaign, Item
from fazhi.evidence.archives import ArchiveLimits, unpack_zip
from fazhi.evidence.placement import UNMATCHED, ItemIndex
from fazhi.evidence.services import FileOutcome, upload_one

JUNK_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})


def archive_limits() -> ArchiveLimits:
    return ArchiveLimits(
        max_members=settings.FAZHI_ZIP_MAX_FILES,
        max_total_bytes=settings.FAZHI_ZIP_MAX_BYTES,
        max_member_bytes=settings.FAZHI_UPLOAD_MAX_BYTES,
    )


def import_archive(
    *, acting_user, campaign: Campaign, archive: Path, item: Item | None = None, unit=None
) -> list[FileOutcome]:
    """Unpack a ZIP safely and store each member. Raises ArchiveError when the archive as a
    whole is refused (corrupt, a zip bomb, too many files)."""
    with tempfile.TemporaryDirectory(prefix="fazhi-zip-") as folder:
        result = unpack_zip(archive, Path(folder), limits=archive_limits())
        outcomes = [FileOutcome(skipped.path, error=skipped.reason) for skipped in result.skipped]
        files = [(member.path, member.temp_path) for member in result.members]
        outcomes += import_files(
            acting_user=acting_user, campaign=campaign, files=files, item=item, unit=unit
        )
    return outcomes


def import_directory(*, acting_user, campaign: Campaign, root: Path, unit=None):
    files = [
        (path.relative_to(root).as_posix(), path)
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name.lower() not in JUNK_NAMES
    ]
    return import_files(acting_user=acting_user, campaign=campaign, files=files, unit=unit)


def import_files(
    *,
    acting_user,
    campaign: Campaign,
    files: Iterable[tuple[str, Path]],
    item: Item | None = None,
    unit=None,
) -> list[FileOutcome]:
    # Every item of the campaign is looked up, so that a file for an item the unit was not
    # given is refused with that reason instead of "not found"; the upload checks the right.
    index = None if item else ItemIndex(list(campaign.items.all()))
    outcomes = []
    for relative, path in files:
        target = item or index.item_for_path(relative)
        if target is None:
            outcomes.append(FileOutcome(relative, error=UNMATCHED))
            continue
        outcomes.append(_store_file(acting_user, target, relative, path, unit))
    return outcomes


def _store_file(acting_user, item: Item, relative: str, path: Path, unit) -> FileOutcome:
    with path.open("rb") as handle:
        file = File(handle, name=Path(relative).name)
        return upload_one(acting_user=acting_user, item=item, path=relative, file=file, unit=unit)
