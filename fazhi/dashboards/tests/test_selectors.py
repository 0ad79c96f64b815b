"""The numbers behind the dashboards: only approved items count as done, overdue items with their
days, completion by area and by lead unit, the units × areas heat map, one unit's view."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fazhi.dashboards import selectors
from fazhi.dashboards.selectors import Board

TODAY = timezone.localdate


@pytest.fixture
def facts(campaign, people, work):
    """1.1.1 and 2.1.3 approved, 2.1.4 submitted (not reviewed), 1.1.2 untouched; 1.1.2 is ten
    days late and 2.1.4 three days late."""
    campaign.items.update(deadline=None)
    work.approve("1.1.1")
    work.approve("2.1.3")
    work.submit("2.1.4")
    work.due("1.1.2", TODAY() - timedelta(days=10))
    work.due("2.1.4", TODAY() - timedelta(days=3))
    work.due("1.1.1", TODAY() - timedelta(days=30))  # late, but approved: not overdue
    return Board(campaign=campaign, user=people.szq_lead).facts


def by_title(rows):
    return {area.title: done for area, done in rows}


def test_only_approved_items_count_as_done(facts):
    headline = selectors.headline(facts)
    assert (headline.total, headline.approved, headline.submitted) == (4, 2, 1)
    assert headline.percent == 50
    assert headline.materials == 3


def test_a_submitted_item_is_not_done(campaign, people, work):
    work.submit("1.1.1")
    facts = Board(campaign=campaign, user=people.szq_lead).facts
    assert selectors.headline(facts).approved == 0
    areas = by_title(selectors.completion_by_area(facts))
    assert areas["依法全面履行政府职能"].percent == 0
    assert areas["依法全面履行政府职能"].counts["submitted"] == 1


def test_completion_by_area_counts_each_status(facts):
    areas = by_title(selectors.completion_by_area(facts))
    first, second = areas["依法全面履行政府职能"], areas["健全依法行政制度体系"]
    assert (first.total, first.approved, first.percent) == (2, 1, 50)
    assert first.counts["not_started"] == 1
    assert (second.total, second.approved, second.counts["submitted"]) == (2, 1, 1)


def test_completion_by_unit_puts_the_worst_lead_unit_first(facts):
    rows = selectors.completion_by_unit(facts)
    assert [
        (unit.display_name, done.approved, done.total, done.percent) for unit, done in rows
    ] == [
        ("区市场监管局", 0, 1, 0),
        ("区司法局", 2, 3, 67),
    ]
    assert rows[0][1].overdue == 1


def test_overdue_items_are_the_late_unapproved_ones_longest_first(facts):
    late = [(item.code, days) for item, days in selectors.overdue_items(facts)]
    assert late == [("1.1.2", 10), ("2.1.4", 3)]
    assert selectors.headline(facts).overdue == 2


def test_an_item_due_today_is_not_overdue(campaign, people, work):
    campaign.items.update(deadline=None)
    work.due("1.1.2", TODAY())
    facts = Board(campaign=campaign, user=people.szq_lead).facts
    assert selectors.overdue_items(facts) == []


def test_the_heat_map_gives_each_units_approved_share_per_area(facts):
    heat = selectors.heat_map(facts)
    assert [area.title for area in heat.areas] == ["依法全面履行政府职能", "健全依法行政制度体系"]
    cells = {
        unit.display_name: ([cell.percent for cell in row], total.percent)
        for unit, row, total in heat.rows
    }
    assert cells == {
        "区司法局": ([100, 50], 67),
        "区市场监管局": ([0, None], 0),  # no item in the second area: an empty cell
    }


def test_items_without_a_lead_unit_are_counted_apart(campaign, people):
    campaign.items.get(code="2.1.4").assignments.all().delete()
    facts = Board(campaign=campaign, user=people.szq_lead).facts
    units = [unit for unit, _ in selectors.completion_by_unit(facts)]
    assert None in units and len(units) == 3


def test_a_units_view_holds_the_items_it_leads_or_shares(campaign, people, tree):
    board = Board(campaign=campaign, user=people.szq_lead, unit=tree.units.szq_scjg)
    roles = {item.code: item.role for item in board.facts.items}
    assert roles == {"1.1.1": "responsible", "1.1.2": "lead"}
    assert board.page == "unit"


def test_a_liaison_is_confined_to_their_unit_and_a_leader_is_not(people, tree):
    assert selectors.unit_only(people.szq_liaison) == tree.units.szq_sfj.pk
    assert selectors.unit_only(people.szq_leader) is None
    assert selectors.unit_only(people.admin) is None


def test_the_index_headlines_count_the_items_each_user_may_see(campaign, people, work):
    work.approve("1.1.2")
    everything = selectors.headlines(campaigns=[campaign], user=people.szq_lead)[campaign.pk]
    assert (everything.total, everything.approved, everything.percent) == (4, 1, 25)
    own = selectors.headlines(campaigns=[campaign], user=people.scjg_liaison)[campaign.pk]
    assert (own.total, own.approved) == (2, 1)
