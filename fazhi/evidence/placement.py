"""Which item a file in a ZIP or a folder tree belongs to, from the codes its path starts with.

Units name folders and files by indicator: "3.2.37 行政复议/决定书.pdf", "37、行政复议/…",
"（37）决定书.pdf", "37.1 细化项/…". A path component that starts with a number is looked up as
a full item code (3.2.37, 3.2.37.1) or as the indicator's running number with any refined tail
(37, 37.1), since the framework numbers its indicators in one running sequence. The deepest
folder that names an item wins, so a refined-item folder inside an indicator folder counts; the
file's own name is only read when no folder names an item, because files inside a folder are
often numbered 1, 2, 3 among themselves."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import PurePosixPath

from fazhi.campaigns.models import Item

_LEADING_CODE = re.compile(r"^\s*[（(【\[]?\s*(\d+(?:\s*[.．]\s*\d+)*)\s*[)）】\]]?(?=\D|$)")
UNMATCHED = "未能从路径识别所属指标：请把文件放在以指标编号开头的文件夹中（如“3.2.37 行政复议”或“37 行政复议”）。"


class ItemIndex:
    def __init__(self, items: list[Item]):
        keys: dict[str, set[int]] = defaultdict(set)
        self.items = {item.pk: item for item in items}
        for item in items:
            for key in _keys_of(item.code):
                keys[key].add(item.pk)
        # A short key two items share (the same running number twice) names neither.
        self.by_key = {key: next(iter(ids)) for key, ids in keys.items() if len(ids) == 1}

    def item_for_path(self, path: str) -> Item | None:
        *folders, name = PurePosixPath(path).parts
        for component in [*reversed(folders), name]:
            if (code := leading_code(component)) in self.by_key:
                return self.items[self.by_key[code]]
        return None


def _keys_of(code: str) -> list[str]:
    """The full code, and the code from the indicator's running number on. Indicator codes are
    area.group.running; refined items append their own segments."""
    segments = code.split(".")
    keys = [code]
    if len(segments) >= 3:
        keys.append(".".join(segments[2:]))
    return keys


def leading_code(component: str) -> str:
    match = _LEADING_CODE.match(component)
    if not match:
        return ""
    return re.sub(r"\s*[.．]\s*", ".", match.group(1)).strip()
