"""A city standard of 行政处罚 and a review by the city of 市中区 and 薛城区's files."""

from datetime import date

import pytest
from django.core.files.base import ContentFile

from fazhi.casereviews import services, standards
from fazhi.casereviews.tests import builders


@pytest.fixture
def standard(tree, people):
    reading, _ = standards.read_upload(ContentFile(builders.city_penalty(), name="标准.xlsx"))
    return standards.standard_create(
        acting_user=people.city_lead,
        region=tree.city,
        name="行政处罚案卷评查标准",
        case_type="行政处罚",
        reading=reading.as_json(),
    )


@pytest.fixture
def review(tree, people, standard):
    return services.review_create(
        acting_user=people.city_lead,
        region=tree.city,
        name="2025年行政处罚案卷评查",
        standards=[standard],
        closed_from=date(2025, 1, 1),
        closed_to=date(2025, 6, 30),
    )


@pytest.fixture
def cases(tree, people, review):
    u = tree.units
    rows = builders.cases_for_units([u.szq_sfj, u.szq_scjg, u.xc_sfj], 4)
    upload = ContentFile(builders.case_list(rows), name="案件清单.xlsx")
    draft = services.cases_import_preview(
        acting_user=people.city_lead, review=review, uploaded_file=upload
    )
    return services.cases_import_commit(acting_user=people.city_lead, draft=draft)
