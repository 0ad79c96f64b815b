"""A damaged PDF costs only itself: real PDFs corrupted the ways bit flips and cut downloads do.
One whose page lost its /Type reads, uploads and is extracted, yet pypdf refuses to copy its page
("Invalid page object"), and one whose /Rotate became a name fails when stamped; each failed
every build of the campaign before. The others (a reference bent to a missing object, a cut file,
a flipped xref) were and are read around or shown by a placeholder.
Every build finishes, the volume shows a placeholder naming the file and where it lies in the
package, the build lists it, and the materials check flags it before any build."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from fazhi.filing import services
from fazhi.filing.models import BuildStatus, FileKind
from fazhi.filing.tests.conftest import pdf_bytes
from fazhi.filing.tests.test_volumes import bind


def flipped(data: bytes, old: bytes, new: bytes, *, nth: int = 1) -> bytes:
    """`data` with the nth `old` replaced by `new` of the same length, as a bit flip leaves
    every offset in the xref where it was."""
    assert len(old) == len(new)
    at = -1
    for _ in range(nth):
        at = data.index(old, at + 1)
    return data[:at] + new + data[at + len(old) :]


GOOD = pdf_bytes(3, "damaged")
REFUSED = b"refused".hex()[:12]  # on each page of the file below
# The second page's "/Type" turned into "/Tyqe" by one bit: pypdf reads the leaf as a page,
# but PdfWriter.add_page refuses it.
NO_PAGE_TYPE = flipped(pdf_bytes(3, "refused"), b"/Type /Page\n", b"/Tyqe /Page\n", nth=2)
TURNED = b"turned".hex()[:12]
# A page's "/Parent 1 0 R" overwritten by "/Rotate /Pgx": it reads and copies, but stamping
# turns the page upright first and fails on the name ("bad operand type for unary -").
ROTATED_BY_A_NAME = flipped(
    pdf_bytes(2, "turned"), b"/Parent 1 0 R\n/Resources", b"/Rotate /Pgx \n/Resources"
)
CORRUPTIONS = {
    "missing object": flipped(GOOD, b"/Resources 11 0 R", b"/Resources 91 0 R"),
    "kid bent": flipped(GOOD, b"5 0 R\n7 0 R]", b"5 0 R\n7 9 R]"),
    "truncated": GOOD[: len(GOOD) // 2],
    "xref flipped": GOOD[:-120] + bytes(b ^ 0x08 for b in GOOD[-120:-90]) + GOOD[-90:],
}


@pytest.fixture
def damaged(upload):
    """1.1.1: a sound PDF and the one without a page type; 2.1.3: the other corruptions."""
    upload("1.1.1", "决定书.pdf", pdf_bytes(2, "sound"), title="行政复议决定书")
    upload("1.1.1", "损坏的报告.pdf", NO_PAGE_TYPE, title="年度工作报告")
    upload("1.1.2", "旋转.pdf", ROTATED_BY_A_NAME, title="执法公示扫描件")
    for label, content in CORRUPTIONS.items():
        upload("2.1.3", f"{label}.pdf", content, title=f"审查意见（{label}）")


def test_a_pdf_that_pypdf_refuses_to_copy_is_bound_as_a_placeholder(damaged, campaign, tmp_path):
    [volume] = bind(campaign, tmp_path / "out")
    text = "\n".join(page.extract_text() for page in PdfReader(volume.path).pages)
    assert REFUSED not in text  # none of the refused file's pages
    assert "本材料无法在汇编中显示" in text and "损坏的报告.pdf" in text
    [unbound] = [p for p in volume.placeholders if p.name == "损坏的报告.pdf"]
    assert (unbound.code, unbound.title) == ("1.1.1", "年度工作报告")
    assert unbound.package_path.endswith("年度工作报告.pdf") and unbound.package_path in text
    assert "页面结构已损坏（第 2 页）" in unbound.reason
    [turned] = [p for p in volume.placeholders if p.name == "旋转.pdf"]
    assert "页面结构已损坏（第 1 页）" in turned.reason and TURNED not in text
    assert b"sound".hex()[:12] in text  # the sound one next to it is bound


def test_a_failure_the_page_check_misses_is_rolled_back_at_binding(
    damaged, campaign, tmp_path, monkeypatch
):
    """Without the page-tree check the files fail only while their pages are copied or
    stamped: none of their pages stays in the volume, laid out again with placeholders."""
    monkeypatch.setattr("fazhi.filing.conversion.unbindable_pages", lambda pages: [])
    [volume] = bind(campaign, tmp_path / "out")
    reader = PdfReader(volume.path)
    assert len(reader.pages) == volume.pages
    [unbound] = [p for p in volume.placeholders if p.name == "损坏的报告.pdf"]
    assert "Invalid page object" in unbound.reason
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert unbound.package_path in text
    assert REFUSED not in text
    assert f"- {volume.pages} -" in reader.pages[-1].extract_text()  # numbers still agree
    # The turned page fails only when stamped, after all its pages were copied in.
    [turned] = [p for p in volume.placeholders if p.name == "旋转.pdf"]
    assert "TypeError" in turned.reason and TURNED not in text


def test_the_build_finishes_and_lists_the_files_it_could_not_bind(damaged, campaign, people):
    build = services.build_request(acting_user=people.szq_lead, campaign=campaign)
    build.refresh_from_db()
    assert build.status == BuildStatus.READY, build.error
    names = {p["name"]: p for p in build.summary["placeholders"]}
    assert "损坏的报告.pdf" in names and names["损坏的报告.pdf"]["package_path"]
    assert "旋转.pdf" in names
    assert "truncated.pdf" in names  # shown by a placeholder as before, and now listed
    assert build.files.filter(kind=FileKind.VOLUME).exists()


def test_the_filing_page_and_the_api_name_the_unbound_files(
    damaged, campaign, people, login, bearer
):
    services.build_request(acting_user=people.szq_lead, campaign=campaign)
    client = login(people.szq_lead)
    html = client.get(reverse("filing:campaign", args=[campaign.pk])).content.decode()
    assert "个文件无法装订，已以占位页代替" in html
    assert "损坏的报告.pdf" in html and "年度工作报告" in html
    url = f"/api/filing/campaigns/{campaign.pk}/builds"
    [build] = client.get(url, **bearer(people.szq_lead)).json()
    assert "损坏的报告.pdf" in {p["name"] for p in build["placeholders"]}


def test_the_command_reports_the_unbound_files_in_its_json(damaged, campaign, tmp_path):
    out = StringIO()
    call_command(
        "filing", "build", str(campaign.pk), "-o", str(tmp_path / "out"), "--json", stdout=out
    )
    result = json.loads(out.getvalue())
    assert len(result["files"]) >= 3
    [unbound] = [p for p in result["placeholders"] if p["name"] == "损坏的报告.pdf"]
    assert unbound["code"] == "1.1.1" and unbound["package_path"].endswith("年度工作报告.pdf")


def test_the_materials_check_flags_pdfs_that_cannot_be_bound(damaged, campaign, people, login):
    html = (
        login(people.szq_lead).get(reverse("campaigns:checks", args=[campaign.pk])).content
    ).decode()
    section = html.split("无法装订进汇编的 PDF", 1)[1].split("</table>", 1)[0]
    assert "损坏的报告.pdf" in section and "页面结构损坏（第 2 页）" in section
    assert "旋转.pdf" in section
    assert "truncated.pdf" in section  # does not even open
    assert "决定书.pdf" not in section
