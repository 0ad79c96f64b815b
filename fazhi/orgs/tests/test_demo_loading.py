"""`fazhi demo-data`: the demo opens with 枣庄市, 市中区's 42 units, every role, and the
104-indicator framework, and loading it twice changes nothing."""

from io import StringIO

from django.core.management import call_command

from fazhi.accounts.models import User
from fazhi.frameworks.models import Framework, Node
from fazhi.orgs.models import Region, Unit


def load() -> str:
    out = StringIO()
    call_command("demo_data", stdout=out)
    return out.getvalue()


def counts():
    return (
        Region.objects.count(),
        Unit.objects.count(),
        User.objects.count(),
        Framework.objects.count(),
        Node.objects.count(),
    )


def test_demo_data_loads_zaozhuang_with_42_units_in_shizhong_and_the_framework(db):
    output = load()
    assert Region.objects.get(code="370402").name == "市中区"
    assert Region.objects.get(code="370400").name == "枣庄市"
    assert (
        Unit.objects.filter(region__path__startswith=Region.objects.get(code="370402").path).count()
        == 42
    )
    framework = Framework.objects.get()
    assert framework.leaf_count == 104 and framework.total_points == 1000
    roles = set(User.objects.values_list("roles__code", flat=True))
    assert roles >= {"admin", "lead_admin", "liaison", "reviewer", "expert", "leader", "inspector"}
    assert "szq_admin" in output and "Fazhi@2026" in output


def test_demo_data_is_safe_to_run_twice(db):
    load()
    before = counts()
    load()
    assert counts() == before


def test_demo_accounts_can_log_in(client, db):
    load()
    response = client.post("/accounts/login/", {"username": "szq_admin", "password": "Fazhi@2026"})
    assert response.status_code == 302 and response.url == "/"
