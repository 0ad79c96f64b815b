"""Benchmark: build the filing of a campaign with 1,500 generated materials (the size of 市中区's
filing: 104 indicators, about 1,500 materials) and compare its time with a plain copy of the same
bytes made in the same run; print the peak memory of the build.

    .venv/bin/python bench/filing.py [--materials 1500] [--kb 300] [--docx 20]

Runs on its own throwaway data folder and SQLite database (or DATABASE_URL if set). The
materials are multi-page PDFs padded to about --kb kilobytes, JPEG scans and a few Word files
(converted by LibreOffice when it is installed). The build runs in a child process so that its
peak resident memory is measured alone."""

from __future__ import annotations

import argparse
import hashlib
import io
import multiprocessing
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--materials", type=int, default=1500)
    parser.add_argument("--kb", type=int, default=300, help="approximate size of each PDF")
    parser.add_argument("--docx", type=int, default=20, help="how many are Word files")
    parser.add_argument("--page-budget", type=int, default=400)
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="fazhi-bench-"))
    os.environ["FAZHI_DATA_DIR"] = str(data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fazhi.settings")
    import django

    django.setup()
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        campaign, blobs = generate(args.materials, kb=args.kb, docx_count=args.docx)
        print(
            f"generated {len(blobs)} materials, {sum(b.size for b in blobs) / 2**20:.0f} MiB "
            f"in {time.perf_counter() - started:.1f} s"
        )
        copy_seconds = plain_copy(blobs, data / "copy")
        report(campaign.pk, data / "out", args.page_budget, copy_seconds)
    finally:
        shutil.rmtree(data, ignore_errors=True)


def generate(count: int, *, kb: int, docx_count: int):
    """Materials spread over the demo framework's 104 indicators, stored the way uploads store
    them (content-addressed blobs, one material row each), without running text extraction."""
    from datetime import date

    from django.core.files.base import ContentFile

    from fazhi.accounts.models import User
    from fazhi.campaigns.services import campaign_create
    from fazhi.evidence.demo import docx_bytes
    from fazhi.evidence.models import Evidence, EvidenceVersion
    from fazhi.evidence.storage import store_blob
    from fazhi.frameworks.demo import load_demo_framework
    from fazhi.orgs.demo import load_demo_orgs
    from fazhi.orgs.models import Region

    load_demo_orgs()
    framework = load_demo_framework()
    lead = User.objects.get(username="szq_admin")
    campaign = campaign_create(
        acting_user=lead,
        framework=framework,
        region=Region.objects.get(code="370402"),
        name="基准测试创建活动",
        period_start=date(2023, 1, 1),
        period_end=date(2025, 12, 31),
    )
    items = list(campaign.items.order_by("sort_key"))
    unit = lead.unit
    rng = random.Random(2026)
    scan = jpeg_scan()
    blobs = []
    for number in range(count):
        if number < docx_count:
            name, content, pages = (
                f"材料{number}.docx",
                docx_bytes([f"第{number}号材料"] * 30),
                None,
            )
        elif number % 10 == 0:
            name, content, pages = f"扫描件{number}.jpg", scan + number.to_bytes(4, "big"), 1
        else:
            pages = rng.randint(1, 6)
            name, content = f"材料{number}.pdf", padded_pdf(number, pages, kb * 1024)
        blob, _ = store_blob(
            ContentFile(content),
            sha256=sha(content),
            size=len(content),
            kind=name.rsplit(".", 1)[1],
        )
        blob.page_count = pages
        blob.save(update_fields=["page_count"])
        evidence = Evidence.objects.create(
            item=items[number % len(items)],
            unit=unit,
            title=f"佐证材料第{number}号",
            uploaded_by=lead,
        )
        evidence.current = EvidenceVersion.objects.create(
            evidence=evidence, number=1, blob=blob, original_name=name, uploaded_by=lead
        )
        evidence.save(update_fields=["current"])
        blobs.append(blob)
    return campaign, blobs


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def padded_pdf(number: int, pages: int, size: int) -> bytes:
    """A real PDF of `pages` pages whose size is made up by an incompressible image, as scans
    are."""
    from fpdf import FPDF

    document = FPDF()
    document.set_font("helvetica", size=14)
    noise = noise_png(max(size - 2000, 1000), seed=number)
    for page in range(pages):
        document.add_page()
        document.cell(text=f"material {number} page {page + 1}")
        if page == 0:
            document.image(io.BytesIO(noise), x=20, y=40, w=60)
    buffer = io.BytesIO()
    document.output(buffer)
    return buffer.getvalue()


def noise_png(size: int, *, seed: int) -> bytes:
    from PIL import Image

    side = max(int((size / 3) ** 0.5), 8)
    image = Image.frombytes("RGB", (side, side), random.Random(seed).randbytes(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=0)
    return buffer.getvalue()


def jpeg_scan() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1240, 1754), "white").save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()


def plain_copy(blobs, target: Path) -> float:
    """The floor to compare with: every stored byte read and written once."""
    from fazhi.evidence.storage import CHUNK, open_blob

    target.mkdir()
    started = time.perf_counter()
    for blob in blobs:
        with open_blob(blob) as source, (target / blob.sha256).open("wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
    seconds = time.perf_counter() - started
    shutil.rmtree(target)
    return seconds


def report(campaign_id: int, out: Path, page_budget: int, copy_seconds: float) -> None:
    from django.db import connections

    connections.close_all()  # the child opens its own
    queue = multiprocessing.get_context("fork").SimpleQueue()
    child = multiprocessing.get_context("fork").Process(
        target=build, args=(campaign_id, out, page_budget, queue)
    )
    child.start()
    child.join()
    result = queue.get()
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    files = sorted(out.iterdir())
    total = sum(f.stat().st_size for f in files)
    print(f"plain copy of the same bytes: {copy_seconds:.2f} s")
    print(
        f"filing build:                 {result['seconds']:.2f} s "
        f"({result['seconds'] / copy_seconds:.1f}× the copy)"
    )
    for stage, seconds in result["stages"].items():
        print(f"  {stage:<8} {seconds:.2f} s")
    print(f"peak memory of the build:     {peak_mib:.0f} MiB resident")
    print(
        f"output: {len(files)} files, {total / 2**20:.0f} MiB "
        f"({sum(1 for f in files if f.suffix == '.pdf')} volumes)"
    )
    from harness import Figure, record

    from fazhi.evidence.models import Evidence

    materials = Evidence.objects.filter(item__campaign_id=campaign_id).count()
    record(
        Figure(
            bench="filing",
            name=f"filing build, {materials} materials (one build)",
            median_ms=result["seconds"] * 1000,
            p95_ms=result["seconds"] * 1000,
            baseline="plain copy of the same bytes",
            baseline_p95_ms=copy_seconds * 1000,
            note=f"peak {peak_mib:.0f} MiB resident",
        )
    )


def build(campaign_id: int, out: Path, page_budget: int, queue) -> None:
    from fazhi.campaigns.models import Campaign
    from fazhi.filing import services

    stages, marks = {}, [time.perf_counter()]

    class Timed(services.BuildProgress):
        def stage(self, index: int) -> None:
            now = time.perf_counter()
            if index:
                stages[services.STAGES[index - 1]] = now - marks[-1]
            marks.append(now)
            super().stage(index)

    campaign = Campaign.objects.get(pk=campaign_id)
    out.mkdir()
    started = time.perf_counter()
    services.filing_produce(
        campaign=campaign, out_dir=out, page_budget=page_budget, progress=Timed(None)
    )
    finished = time.perf_counter()
    stages[services.STAGES[-1]] = finished - marks[-1]
    queue.put({"seconds": finished - started, "stages": stages})


if __name__ == "__main__":
    main()
