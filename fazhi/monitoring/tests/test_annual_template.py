"""A region replaces the annual report's template with its own .docx; the regions below use it;
a template with a misspelt name or not a Word file is refused with what is wrong."""

from datetime import date
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from fazhi.monitoring import annual

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 10)


def template_with(text: str) -> SimpleUploadedFile:
    document = Document(BytesIO(annual.default_template_bytes()))
    document.add_paragraph(text)
    buffer = BytesIO()
    document.save(buffer)
    return SimpleUploadedFile("枣庄模板.docx", buffer.getvalue())


def draft_texts(region) -> list[str]:
    out = BytesIO()
    annual.render_annual_report(region=region, year=2025, out=out, today=TODAY)
    return [p.text for p in Document(BytesIO(out.getvalue())).paragraphs]


def test_the_city_template_is_used_below_it(tree, people):
    annual.template_upload(
        acting_user=people.city_lead,
        region=tree.city,
        uploaded_file=template_with("（{{ region }}依法治办编制）"),
        today=TODAY,
    )
    assert "（市中区依法治办编制）" in draft_texts(tree.szq)


def test_a_misspelt_name_and_a_non_word_file_are_refused(tree, people):
    with pytest.raises(ValidationError, match="regoin"):
        annual.template_upload(
            acting_user=people.city_lead,
            region=tree.city,
            uploaded_file=template_with("{{ regoin }}"),
            today=TODAY,
        )
    with pytest.raises(ValidationError, match="不是有效的 Word 文档"):
        annual.template_upload(
            acting_user=people.city_lead,
            region=tree.city,
            uploaded_file=SimpleUploadedFile("模板.docx", b"plain text"),
            today=TODAY,
        )
    assert "（" not in "".join(draft_texts(tree.szq)[-1:])  # still the built-in template


def test_the_page_uploads_and_downloads(tree, people, login):
    client = login(people.szq_lead)
    client.post("/monitoring/annual/template/", {"file": template_with("区模板 {{ year }}")})
    assert "区模板 2025" in draft_texts(tree.szq)
    assert client.get("/monitoring/annual/template.docx").status_code == 200
    assert login(people.szq_liaison).post("/monitoring/annual/template/").status_code == 403
