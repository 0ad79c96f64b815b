"""The framework pages cost a fixed number of queries whatever the size of the framework."""

from django.urls import reverse

from fazhi.accounts.system import SYSTEM
from fazhi.frameworks import services
from fazhi.frameworks.models import Framework


def make_framework(name: str, indicators: int) -> Framework:
    rows = [{"code": "1", "title": "区域", "level": 1, "parent_code": None, "points": None}]
    rows += [
        {"code": f"1.{i}", "title": f"指标{i}", "level": 2, "parent_code": "1", "points": 1}
        for i in range(1, indicators + 1)
    ]
    return services.framework_create(acting_user=SYSTEM, name=name, edition="1", rows=rows)


def count_queries(client, url, django_assert_max_num_queries) -> int:
    client.get(url)
    with django_assert_max_num_queries(30) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_framework_page_costs_the_same_for_5_and_200_indicators(
    people, login, django_assert_max_num_queries
):
    client = login(people.szq_lead)
    small, large = make_framework("小", 5), make_framework("大", 200)
    small_count = count_queries(
        client, reverse("frameworks:detail", args=[small.pk]), django_assert_max_num_queries
    )
    large_count = count_queries(
        client, reverse("frameworks:detail", args=[large.pk]), django_assert_max_num_queries
    )
    assert small_count == large_count


def test_the_framework_list_costs_the_same_for_2_and_20_frameworks(
    people, login, django_assert_max_num_queries
):
    client = login(people.szq_lead)
    for index in range(2):
        make_framework(f"体系{index}", 3)
    few = count_queries(client, reverse("frameworks:list"), django_assert_max_num_queries)
    for index in range(2, 20):
        make_framework(f"体系{index}", 3)
    assert count_queries(client, reverse("frameworks:list"), django_assert_max_num_queries) == few
