"""The material list of an item page reloads itself after an upload: the page's uploader asks
htmx for the list alone, which is scoped like the page."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

HTMX_LIST = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "item-evidence"}


def test_the_item_page_lists_materials_in_a_region_that_reloads_after_uploads(
    campaign, people, login
):
    item = campaign.items.get(code="1.1.1")
    page = login(people.szq_liaison).get(reverse("campaigns:item", args=[item.pk]))
    html = page.content.decode()
    assert 'id="item-evidence"' in html and 'hx-trigger="evidence-changed from:body"' in html
    # Photos straight from the phone's camera, beside the ordinary file picker.
    assert 'accept="image/*" capture="environment"' in html


def test_after_an_upload_htmx_gets_the_new_list_and_the_new_status_alone(campaign, people, login):
    client = login(people.szq_liaison)
    item = campaign.items.get(code="1.1.1")
    client.post(
        reverse("evidence:upload", args=[item.pk]),
        {"files": [SimpleUploadedFile("复议工作报告.txt", "行政复议工作报告".encode())]},
        HTTP_ACCEPT="application/json",
    )
    response = client.get(reverse("campaigns:item", args=[item.pk]), **HTMX_LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "上传与提交" not in html  # the list, not the page
    assert "复议工作报告" in html
    assert 'id="item-status" hx-swap-oob="true"' in html and "进行中" in html


def test_the_list_alone_is_refused_to_a_liaison_of_another_county(campaign, people, login):
    item = campaign.items.get(code="1.1.1")
    response = login(people.xc_liaison).get(reverse("campaigns:item", args=[item.pk]), **HTMX_LIST)
    assert response.status_code == 404
