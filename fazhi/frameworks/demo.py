"""The built-in illustrative framework (10 areas, 34 groups, 104 indicators, 1000 points)."""

from pathlib import Path

from fazhi.accounts.system import SYSTEM
from fazhi.frameworks import formats, services
from fazhi.frameworks.models import Framework

DEMO_FILE = Path(__file__).parent / "data" / "demo_framework.yaml"


def load_demo_framework(*, acting_user=SYSTEM) -> Framework:
    data = formats.load_document(DEMO_FILE.read_text(encoding="utf-8"))
    existing = Framework.objects.filter(name=data["name"], edition=str(data["edition"])).first()
    if existing is not None:
        return existing
    return services.framework_import_data(
        acting_user=acting_user, data=data, source_filename=DEMO_FILE.name
    )
