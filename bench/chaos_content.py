"""What bench/chaos.py sends and imports: large streamed uploads made from a seed, documents whose
text takes seconds to read with a marker word in a random place, and a framework table large
enough that its import takes seconds."""

from __future__ import annotations

import hashlib
import random
import time
from pathlib import Path

MIB = 1024 * 1024
VOCABULARY = [
    "依法行政",
    "行政执法",
    "规范性文件",
    "合法性审查",
    "法治政府",
    "行政复议",
    "行政诉讼",
    "出庭应诉",
    "政务公开",
    "重大行政决策",
    "公平竞争审查",
    "普法宣传",
    "法律顾问",
    "公职律师",
    "执法监督",
    "行政许可",
    "双随机",
    "一公开",
    "证明事项",
    "告知承诺",
    "综合执法",
    "裁量基准",
    "执法全过程记录",
    "法制审核",
    "矛盾纠纷",
    "多元化解",
    "人民调解",
]
CN_NUMBERS = "一二三四五六七八九十"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def chunk_plan(size: int, rng: random.Random) -> list[bytes]:
    """A random 1 MiB block and a stamp per chunk: the content is made again from them each time
    it is read, never held whole in memory."""
    stamp = f"{rng.random()}-{time.time_ns()}-".encode()
    return [rng.randbytes(MIB), *(stamp + str(n).encode() for n in range(size // MIB))]


def replay(plan: list[bytes]):
    block, marks = bytearray(plan[0]), plan[1:]
    for mark in marks:
        block[: len(mark)] = mark
        yield bytes(block)


def long_text(rng: random.Random, words: int) -> str:
    return (
        "，".join("".join(rng.choice(VOCABULARY) for _ in range(3)) for _ in range(words // 3))
        + "。"
    )


def long_document(fmt: str, marker: str, rng: random.Random) -> bytes:
    """A document whose text takes a few seconds to read and cut into words, with the marker in
    a random place."""
    from fazhi.evidence.demo import docx_bytes, pdf_bytes

    sizes = {"txt": 120, "docx": 160, "pdf": 40}
    lines = [long_text(rng, 600) for _ in range(sizes[fmt])]
    lines.insert(rng.randrange(len(lines)), f"编号 {marker} 。")
    if fmt == "txt":
        return "\n".join(lines).encode("utf-8")
    if fmt == "docx":
        return docx_bytes(lines)
    return pdf_bytes(lines)


def write_table(path: Path, areas: int, groups: int, per: int) -> None:
    """A framework table in the layout of the official ones (levels in three columns, numbered
    一、 （一） 1.), large enough that its import takes seconds."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("指标体系")
    sheet.append(["混沌测试指标体系"])
    sheet.append(["一级指标", "二级指标", "三级指标", "指标内涵", "分值", "评分标准", "评估方式"])
    number = 0
    for area in range(areas):
        for group in range(groups):
            for index in range(per):
                number += 1
                sheet.append(
                    [
                        f"{CN_NUMBERS[area]}、领域{area + 1}（{groups * per}分）"
                        if group == 0 and index == 0
                        else None,
                        f"（{CN_NUMBERS[group]}）分组{group + 1}（{per}分）"
                        if index == 0
                        else None,
                        f"{number}. 指标{number}依法行政事项",
                        "把依法行政要求落实到每一项工作中，形成常态化机制。",
                        1,
                        "未落实的扣1分；扣完为止。",
                        "材料评审",
                    ]
                )
    book.save(path)
