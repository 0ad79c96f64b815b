"""Benchmark: the task worker's peak resident memory while it extracts the text of a batch of
the files people upload: a long Word document, a PDF of many text pages, an Excel workbook of
many rows and a 2 MB plain-text file.

    .venv/bin/python bench/extract.py [--pdf-pages 80] [--rows 20000] [--timeout 600] [--keep]

Runs against the database and storage the environment names (FAZHI_DATA_DIR, DATABASE_URL,
FAZHI_S3_*), migrated and filled (`fazhi bench seed`). The files are made here (unique to the
run, so that none is an already-stored blob whose text is never extracted again), uploaded
through the real server (gunicorn, one worker) by a liaison with an API token to an item of
their unit, and extracted by one `fazhi worker` started with it; the run waits until every
uploaded blob's extraction has ended (the database is polled) and reads the worker's peak
resident memory (VmHWM). Extraction that fails or finds no text stops the run: the memory of
a worker that did nothing proves nothing. OCR is not exercised (no image in the batch). The
materials are removed again unless --keep.

Goal: the task worker ≤ 250 MB resident at its peak (issue 21)."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sys
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Figure, database, machine, report, setup_django  # noqa: E402
from ingest import liaison_and_item, remove_materials  # noqa: E402
from loadclient import Server, api_token, delete_tokens, multipart, status_kib  # noqa: E402

GOAL_PEAK_MB = 250
LINE = "为深入推进法治政府建设，现将{unit}{year}年度行政执法工作情况报告如下：第{n}项。"
UNITS = ["市司法局", "市公安局", "市市场监管局", "市生态环境局", "市住建局", "某某街道办事处"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdf-pages", type=int, default=80, help="text pages of the PDF")
    parser.add_argument("--paragraphs", type=int, default=3000, help="paragraphs of the Word file")
    parser.add_argument("--rows", type=int, default=20000, help="rows of the Excel workbook")
    parser.add_argument("--text-mb", type=float, default=2, help="size of the plain-text file")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for the worker")
    parser.add_argument("--keep", action="store_true", help="keep the uploaded materials")
    args = parser.parse_args()
    setup_django()
    print(f"# extract   {machine()}   {database()}", flush=True)

    stamp = f"{os.getpid()}-{time.time_ns()}"
    files = batch(args, stamp)
    user, item = liaison_and_item()
    print(
        f"# {user.username} uploads to item {item.pk} ({item.code}): "
        + ", ".join(f"{name} {len(content) / 2**20:.1f} MiB" for name, _, content in files),
        flush=True,
    )
    token_id, key = api_token(user)
    created = []
    try:
        with Server(workers=1, task_worker=True) as server:
            worker = server.processes[1].pid  # `fazhi worker` extracts in its own process
            idle = status_kib(worker, "VmRSS") / 1024
            started = time.perf_counter()
            for name, content_type, content in files:
                created.append(upload(server.port, key, item.pk, name, content_type, content))
            blob_ids = blobs_of(created)
            waited = wait_for_extraction(blob_ids, server, args.timeout)
            seconds = time.perf_counter() - started
            peak = status_kib(worker, "VmHWM") / 1024
            now = status_kib(worker, "VmRSS") / 1024
        print(
            f"# task worker {worker}: {idle:.0f} MB resident idle, peak {peak:.0f} MB, "
            f"{now:.0f} MB after; {len(files)} files uploaded and extracted in {seconds:.1f} s "
            f"({waited:.1f} s waiting for the worker)",
            flush=True,
        )
    finally:
        delete_tokens([token_id])
        if not args.keep:
            remove_materials(created)
    report(
        Figure(
            bench="extract",
            name="task worker peak resident, extracting the batch",
            median_ms=now,
            p95_ms=peak,
            goal_p95_ms=GOAL_PEAK_MB,
            baseline="resident idle",
            baseline_p95_ms=idle,
            note=(
                f"median column: resident after; {len(files)} files "
                f"({sum(len(c) for _, _, c in files) / 2**20:.1f} MiB: Word "
                f"{args.paragraphs} paragraphs, PDF {args.pdf_pages} pages, Excel {args.rows} "
                f"rows, text {args.text_mb:g} MB) extracted in {seconds:.1f} s"
            ),
            unit="MB",
        )
    )


# -- the batch ---------------------------------------------------------------------------------


def batch(args, stamp: str) -> list[tuple[str, str, bytes]]:
    """(name, content type, content) of each file; each carries the run's stamp in its text."""
    rng = random.Random(21)

    def line(n: int) -> str:
        return LINE.format(unit=rng.choice(UNITS), year=2020 + n % 5, n=n)

    return [
        word(args.paragraphs, line, stamp),
        pdf(args.pdf_pages, stamp),
        excel(args.rows, line, stamp),
        plain_text(int(args.text_mb * 2**20), line, stamp),
    ]


def word(paragraphs: int, line, stamp: str) -> tuple[str, str, bytes]:
    from docx import Document

    document = Document()
    document.add_heading(f"法治政府建设实施方案（{stamp}）", level=1)
    for n in range(paragraphs):
        if n % 50 == 0:
            document.add_heading(f"第{n // 50 + 1}部分", level=2)
        document.add_paragraph(line(n) * 2)
    table = document.add_table(rows=1, cols=3)
    for n in range(200):  # a table, as most notices have one
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = str(n), UNITS[n % len(UNITS)], "已完成"
    buffer = BytesIO()
    document.save(buffer)
    return (
        "法治政府建设实施方案.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        buffer.getvalue(),
    )


def pdf(pages: int, stamp: str) -> tuple[str, str, bytes]:
    """A PDF of full text pages (Latin text: the PDF core fonts have no Chinese glyphs)."""
    from fpdf import FPDF

    document = FPDF()
    document.set_font("helvetica", size=10)
    for page in range(pages):
        document.add_page()
        document.multi_cell(
            0,
            5,
            f"Run {stamp}, page {page + 1}. "
            + "The administrative law enforcement report of the municipal bureau states the "
            "cases handled, the reviews requested and the decisions corrected this year. " * 14,
        )
    buffer = BytesIO()
    document.output(buffer)
    return "行政执法年度报告.pdf", "application/pdf", buffer.getvalue()


def excel(rows: int, line, stamp: str) -> tuple[str, str, bytes]:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("执法案件台账")
    sheet.append(["序号", "案件编号", "执法单位", "案由", "处理结果", "金额（元）", "批次"])
    for n in range(rows):
        sheet.append(
            [
                n + 1,
                f"AJ-{2024 + n % 2}-{n:06d}",
                UNITS[n % len(UNITS)],
                line(n),
                "结案",
                n * 7,
                stamp,
            ]
        )
    buffer = BytesIO()
    workbook.save(buffer)
    return (
        "执法案件台账.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        buffer.getvalue(),
    )


def plain_text(size: int, line, stamp: str) -> tuple[str, str, bytes]:
    parts, length, n = [f"批次 {stamp}\n"], 0, 0
    while length < size:
        parts.append(line(n) + "\n")
        length += len(parts[-1].encode())
        n += 1
    return "工作情况汇总.txt", "text/plain", "".join(parts).encode()[:size]


# -- upload and wait ---------------------------------------------------------------------------


def upload(port: int, key: str, item_id: int, name: str, content_type: str, content: bytes) -> int:
    """The evidence id of the material made from one file, uploaded through the API."""
    head, tail, multipart_type = multipart(name, content_type)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    connection.request(
        "POST",
        f"/api/evidence/items/{item_id}/files",
        body=head + content + tail,
        headers={"Authorization": f"Bearer {key}", "Content-Type": multipart_type},
    )
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.status != 201:
        sys.exit(f"upload of {name} refused: {response.status} {body[:500]!r}")
    (result,) = json.loads(body)
    return result["evidence_id"]


def blobs_of(evidence_ids: list[int]) -> list[int]:
    from fazhi.evidence.models import Evidence

    return list(
        Evidence.objects.filter(pk__in=evidence_ids).values_list("current__blob_id", flat=True)
    )


def wait_for_extraction(blob_ids: list[int], server, timeout: float) -> float:
    """Seconds until no blob is pending; stops the run when one failed or the worker died."""
    from django.db import close_old_connections

    from fazhi.evidence.models import Blob, ExtractStatus

    started = time.perf_counter()
    while True:
        close_old_connections()  # a fresh view of the database each poll
        states = dict(Blob.objects.filter(pk__in=blob_ids).values_list("pk", "extract_status"))
        if ExtractStatus.PENDING not in states.values():
            break
        if server.processes[1].poll() is not None:
            sys.exit(f"the task worker stopped; see {server.log}")
        if time.perf_counter() - started > timeout:
            sys.exit(f"extraction not done after {timeout:.0f} s: {states}; see {server.log}")
        time.sleep(0.5)
    failed = {
        pk: (status, error)
        for pk, status, error in Blob.objects.filter(pk__in=blob_ids).values_list(
            "pk", "extract_status", "extract_error"
        )
        if status != ExtractStatus.DONE
    }
    if failed:
        sys.exit(f"extraction did not find the text of every file: {failed}")
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
