"""A liaison in the field, on a phone: the pages fit the screen, the menu folds away, and on the
item page the upload (a file, or a photo from the camera) and the submission come first; the
material list refreshes by itself after each upload."""

from PIL import Image

from fazhi.campaigns.models import ItemStatus
from fazhi.conftest import PASSWORD
from fazhi.core.tests.browser import ARTIFACTS, BROWSER, DEFAULT_TIMEOUT_MS, PHONE, log_in

pytestmark = BROWSER

# Generous: the suite shares two cores with the live server, OCR and other browsers.
WAIT = DEFAULT_TIMEOUT_MS


def assert_fits_the_screen(page, name):
    # A mobile browser widens its layout viewport to fit what overflows, so innerWidth alone
    # would grow with the page: the phone's own width is the bound.
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner and width <= PHONE["width"], f"{name} 横向溢出：{width}px"


def test_liaison_uploads_a_file_and_a_photo_and_submits_from_a_phone(
    phone_page, live_server, people, campaign, tmp_path
):
    from playwright.sync_api import expect

    page, base = phone_page, live_server.url
    item = campaign.items.get(code="1.1.1")  # led by 区司法局, szq_liaison's unit
    log_in(page, base, "szq_liaison", PASSWORD)
    assert_fits_the_screen(page, "工作台")

    # The navigation is folded into a menu button; the menu opens and leads on.
    menu_link = page.locator("#site-menu").get_by_role("link", name="我的任务")
    expect(menu_link).to_be_hidden(timeout=WAIT)
    page.get_by_role("button", name="菜单").tap()
    menu_link.tap()
    expect(page.get_by_role("heading", name="我的任务")).to_be_visible(timeout=WAIT)
    assert_fits_the_screen(page, "我的任务")

    page.goto(f"{base}/campaigns/{campaign.pk}/")
    expect(page.get_by_role("link", name=item.title)).to_be_visible(timeout=WAIT)
    assert_fits_the_screen(page, "创建活动")

    # The item page opens on the liaison's own actions: the uploader fills the first screen's
    # width, with a camera button for photos and the submit button beside it.
    page.goto(f"{base}/campaigns/items/{item.pk}/")
    uploader = page.locator("form[data-uploader]")
    pick = uploader.get_by_text("选择文件")
    expect(pick).to_be_visible(timeout=WAIT)
    box, pick_box = uploader.bounding_box(), pick.bounding_box()
    assert box["width"] >= 300, f"上传区只有 {box['width']}px 宽"
    assert pick_box["y"] + pick_box["height"] <= PHONE["height"], "选择文件不在第一屏"
    camera = uploader.locator("input[type=file][capture]")
    assert camera.get_attribute("accept") == "image/*"
    submit = page.get_by_role("button", name="提交审核")
    assert submit.bounding_box()["y"] < PHONE["height"] * 2
    assert_fits_the_screen(page, "任务项")
    page.evaluate("window.notReloaded = true")

    # A document from the phone's files: the material list shows it without a reload.
    notice = tmp_path / "学法计划.txt"
    notice.write_text("2025年度领导干部学法计划：集体学法不少于四次。", encoding="utf-8")
    page.locator("form[data-uploader] input[type=file]:not([capture])").set_input_files(notice)
    materials = page.locator("#item-evidence")
    expect(materials).to_contain_text("学法计划", timeout=WAIT)
    expect(page.locator("#item-status")).to_have_text("进行中", timeout=WAIT)

    # A photo from the camera, the same way.
    photo = tmp_path / "现场照片.png"
    Image.new("RGB", (64, 48), (200, 30, 30)).save(photo)
    camera.set_input_files(photo)
    expect(materials).to_contain_text("现场照片", timeout=WAIT)
    expect(uploader.locator(".upload-list li.done")).to_have_count(2, timeout=WAIT)
    assert page.evaluate("window.notReloaded === true"), "上传后页面被整页刷新"
    assert item.evidence.filter(deleted_at__isnull=True).count() == 2
    assert_fits_the_screen(page, "任务项（有材料）")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone-item.png"), full_page=True)

    # Submitting asks first, then the item is locked for review.
    page.once("dialog", lambda dialog: dialog.accept())
    submit.tap()
    expect(page.get_by_text(f"{item.code} 已提交审核。")).to_be_visible(timeout=WAIT)
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED
    expect(page.locator("form[data-uploader]")).to_have_count(0)
