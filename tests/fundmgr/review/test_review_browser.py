"""The 自评表 review in a real browser: the bureau uploads two filled tables and one bad file,
reads the rows and the findings, opens a table. Saves docs/screenshots/review.png for the README."""

from decimal import Decimal
from pathlib import Path

import pytest

from tests.browser import launched_chromium, needs_chromium
from tests.fundmgr.review.tables import clean_department, clean_project, with_indicator, xlsx
from tests.personas import finance_bureau

ROOT = Path(__file__).resolve().parents[3]
SCREENSHOT = ROOT / "docs" / "screenshots" / "review.png"

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.fixture(autouse=True)
def private_uploads(own_storage):
    return own_storage


@pytest.mark.django_db(transaction=True)
def test_the_bureau_uploads_a_batch_and_reads_the_findings(client, live_server, tmp_path):
    client.force_login(finance_bureau("browser"))
    session = client.cookies["sessionid"].value
    files = {
        "妇联项目自评表.xlsx": xlsx(with_indicator(clean_project(score=Decimal("95.12")), 1, earned=Decimal("15.00"))),
        "妇联部门自评表.xlsx": xlsx(clean_department()),
        "说明.docx": b"not a workbook",
    }
    paths = []
    for name, content in files.items():
        path = tmp_path / name
        path.write_bytes(content)
        paths.append(str(path))
    with launched_chromium() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/province/2024/")
        page.get_by_role("link", name="自评表复核").click()
        page.set_input_files("#workbooks", paths)
        page.get_by_role("button", name="上传并复核").click()
        page.wait_for_url("**/review/*/")
        rows = page.locator("table.review tbody tr")
        assert rows.count() == 3
        assert "说明.docx：请上传 .xlsx 格式的工作簿" in page.locator("tr.file-error").text_content()
        first = rows.nth(0).locator("td")
        assert first.nth(0).text_content() == "妇联项目自评表.xlsx"
        assert first.nth(3).text_content() == "95.12"
        assert first.last.text_content() != "0"
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)

        rows.nth(0).locator("a").click()
        finding_row = page.locator("table.review-indicators tr", has=page.locator("div.finding"))
        assert finding_row.count() == 1
        assert "培训合格率" in finding_row.text_content()
        assert "指标得分与公式不符" in finding_row.text_content()
