"""A running embedded deployment for the backup tests, driven from a separate process as the
platform is: `python -m fazhi.core.tests.backup_world setup` gives the data folder named by
FAZHI_DATA_DIR a small campaign; `… upload FOLDER` uploads materials through the evidence
services until the file FOLDER/stop appears, touching FOLDER/ready after the first few;
`… check` reads every material back through the platform's storage."""

import os
import sys
from datetime import date
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fazhi.settings")
django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402

from fazhi.accounts.models import User  # noqa: E402
from fazhi.campaigns.models import Item  # noqa: E402
from fazhi.conftest import campaign_rows, make_region, make_user  # noqa: E402
from fazhi.orgs.models import Unit  # noqa: E402


def setup() -> None:
    from fazhi.accounts.system import SYSTEM
    from fazhi.campaigns.services import campaign_create
    from fazhi.frameworks.services import framework_create

    call_command("migrate", verbosity=0)
    province = make_region("370000", "山东省", "province")
    city = make_region("370400", "枣庄市", "city", province)
    szq = make_region("370402", "市中区", "county", city)
    sfj = Unit.objects.create(
        region=szq, code="370402-sfj", name="市中区司法局", short_name="区司法局"
    )
    lead = make_user("szq_lead", "lead_admin", unit=sfj)
    make_user("szq_liaison", "liaison", unit=sfj)
    framework = framework_create(
        acting_user=SYSTEM, name="测试指标体系", edition="2025", rows=campaign_rows()
    )
    campaign_create(
        acting_user=lead,
        framework=framework,
        region=szq,
        name="市中区创建全国法治政府建设示范区",
        period_start=date(2023, 1, 1),
        period_end=date(2025, 12, 31),
    )


def upload(folder: Path) -> None:
    from fazhi.evidence.services import evidence_upload

    liaison = User.objects.get(username="szq_liaison")
    items = list(Item.objects.filter(code__in=["1.1.1", "2.1.4"]))
    number = 0
    while not (folder / "stop").exists() and number < 2000:
        number += 1
        # Sizes up to 3 MB, so that a file is often still being written when the backup starts.
        size = 20_000 + (number * 617_011) % 3_000_000
        content = (f"材料 {number} ".encode() * (size // 12 + 1))[:size]
        evidence_upload(
            acting_user=liaison,
            item=items[number % len(items)],
            file=ContentFile(content, name=f"材料{number}.txt"),
        )
        if number == 5:
            (folder / "ready").touch()
    (folder / "uploaded").write_text(str(number))


def check() -> None:
    """Read every material of the folder through the platform's own storage, as a download
    does, and print how many were read and which did not match their SHA-256."""
    import hashlib
    import json

    from fazhi.evidence.models import EvidenceVersion
    from fazhi.evidence.storage import open_blob

    read, wrong = 0, []
    for version in EvidenceVersion.objects.select_related("blob"):
        with open_blob(version.blob) as content:
            digest = hashlib.sha256(content.read()).hexdigest()
        read += 1
        if digest != version.blob.sha256:
            wrong.append(version.blob.storage_name)
    print(json.dumps({"read": read, "wrong": wrong}))


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        setup()
    elif sys.argv[1] == "check":
        check()
    else:
        upload(Path(sys.argv[2]))
