"""An inspection by 枣庄市 (the city's inspector) of 市中区's units, with three findings:
司法局's (dated), 市场监管局's (dated, overdue on TODAY) and one of 长期坚持."""

from datetime import date
from types import SimpleNamespace

import pytest

from fazhi.inspections import services

TODAY = date(2025, 6, 10)


@pytest.fixture
def inspection(tree, people):
    return services.inspection_create(
        acting_user=people.city_inspector,
        region=tree.city,
        name="2025年法治督察",
        starts_on=date(2025, 3, 1),
        ends_on=date(2025, 3, 5),
        inspectors=[people.city_inspector],
        units=[tree.units.szq_sfj, tree.units.szq_scjg],
    )


@pytest.fixture
def findings(tree, people, inspection):
    u = tree.units

    def make(number, unit, **fields):
        return services.finding_create(
            acting_user=people.city_inspector,
            inspection=inspection,
            number=number,
            description=f"问题 {number}",
            responsible_unit=unit,
            inspected_unit=unit,
            **fields,
        )

    return SimpleNamespace(
        sfj=make("1", u.szq_sfj, deadline=date(2025, 9, 30), requirement="建立制度"),
        scjg=make("2", u.szq_scjg, deadline=date(2025, 5, 31)),
        long=make("3", u.szq_sfj, long_term=True),
    )
