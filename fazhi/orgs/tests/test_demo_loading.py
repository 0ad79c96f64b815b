"""The demo's places and people: 枣庄市, 市中区's 42 units, every role (the city evaluation's
evaluator too), and the 104-indicator framework; loading them twice changes nothing. The whole
`fazhi demo-data` is tested in fazhi/campaigns/tests/test_demo.py."""

from fazhi.accounts.models import User
from fazhi.frameworks.demo import load_demo_framework
from fazhi.frameworks.models import Framework, Node
from fazhi.orgs.demo import load_demo_orgs
from fazhi.orgs.models import Region, Unit

PASSWORD = "Fazhi@2026"


def load() -> dict:
    orgs = load_demo_orgs()
    load_demo_framework()
    return orgs


def counts():
    return (
        Region.objects.count(),
        Unit.objects.count(),
        User.objects.count(),
        Framework.objects.count(),
        Node.objects.count(),
    )


def test_demo_orgs_are_zaozhuang_with_42_units_in_shizhong_and_the_framework(db):
    orgs = load()
    assert Region.objects.get(code="370402").name == "市中区"
    assert Region.objects.get(code="370400").name == "枣庄市"
    shizhong = Region.objects.get(code="370402").path
    assert Unit.objects.filter(region__path__startswith=shizhong).count() == 42
    framework = Framework.objects.get()
    assert framework.leaf_count == 104 and framework.total_points == 1000
    roles = set(User.objects.values_list("roles__code", flat=True))
    assert roles >= {"admin", "lead_admin", "liaison", "reviewer", "expert", "leader", "inspector"}
    assert orgs["password"] == PASSWORD
    evaluator = next(a for a in orgs["users"] if a["username"] == "zz_evaluator")
    assert evaluator["roles"] == ["评审专家"] and evaluator["place"] == "枣庄市"


def test_the_applicant_districts_have_units_their_campaigns_can_be_given(db):
    load()
    for code in ("370403", "370404", "370405", "370406"):
        short_names = set(
            Unit.objects.filter(region__code=code).values_list("short_name", flat=True)
        )
        assert {"区委依法治区办", "区司法局"} <= short_names, code


def test_demo_orgs_are_safe_to_load_twice_and_keep_changed_passwords(db):
    load()
    before = counts()
    user = User.objects.get(username="szq_admin")
    user.set_password("Changed#2027")
    user.save()
    load()
    assert counts() == before
    assert User.objects.get(username="szq_admin").check_password("Changed#2027")


def test_demo_accounts_can_log_in(client, db):
    load()
    for username in ("szq_admin", "zz_evaluator"):
        response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
        assert response.status_code == 302 and "/accounts/login/" not in response.url, username
        client.logout()
