import pytest

from fazhi.conftest import make_region
from fazhi.orgs.models import Unit
from fazhi.surveys import services

ITEMS = ["政务服务", "行政执法", "营商环境"]


@pytest.fixture
def towns(tree):
    """市中区's towns: 中心街街道 from the root tree, and three more."""
    made = {"中心街街道": tree.units.szq_town}
    for code, name, unit_name in (
        ("370402002000", "光明路街道", "光明路街道办事处"),
        ("370402101000", "孟庄镇", "孟庄镇人民政府"),
        ("370402102000", "齐村镇", "齐村镇人民政府"),
    ):
        region = make_region(code, name, "town", tree.szq)
        made[name] = Unit.objects.create(
            region=region, code=f"{code}-u", name=unit_name, short_name=name, kind="town"
        )
    return made


@pytest.fixture
def wave(tree, people, towns):
    return services.wave_create(
        acting_user=people.szq_lead,
        region=tree.szq,
        name="2025年群众满意度测评",
        year=2025,
        items=ITEMS,
    )


@pytest.fixture(autouse=True)
def fresh_questionnaire_pages():
    """Each test starts without the pages a process keeps (`questionnaire.form_of`): a test
    that changes a wave's names or scale must see its own."""
    from fazhi.surveys import questionnaire

    questionnaire.forget_forms()
    yield
    questionnaire.forget_forms()
