"""A web worker stays small until a request needs the heavy libraries (issue 21: ≤ 150 MB
resident when idle). Gunicorn's worker imports `fazhi.wsgi` and then every URLconf and the API;
nothing on that path may import the document libraries — they serve exports, imports, reports,
the filing build, text extraction (mostly in the task worker) and the survey's QR code, and are
imported inside the functions that use them.

The check runs in a fresh interpreter: the test process has imported everything already."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# Each of these costs the web worker megabytes it does not need for ordinary pages.
HEAVY = [
    "PIL",
    "pypdf",
    "cryptography",
    "fontTools",
    "fpdf",
    "defusedxml",
    "openpyxl",
    "lxml",
    "xlrd",
    "pptx",
    "docx",
    "docxtpl",
    "yaml",
    "segno",
    "jieba",
    "smtplib",
]

# What gunicorn's worker does before its first request, and what that request's URL resolution
# adds: every URLconf, and the API with its routers (registered when `fazhi.api` is imported).
PROBE = """
import json, sys
import django
django.setup()
import fazhi.wsgi
import fazhi.urls
from django.urls import URLResolver, get_resolver
from fazhi.api import api

api.urls

def resolve(patterns):
    count = 0
    for pattern in patterns:
        count += resolve(pattern.url_patterns) if isinstance(pattern, URLResolver) else 1
    return count

print(json.dumps({"routes": resolve(get_resolver().url_patterns), "modules": sorted(sys.modules)}))
"""


def importers(importtime: str) -> dict[str, list[str]]:
    """For each module, the chain of modules whose import first imported it, outermost first,
    read from `python -X importtime`'s tree: a module's line comes after its children's, indented
    two spaces less, so its ancestors are the next lines that are less indented. Modules imported
    through `importlib.import_module` (URLconfs named in `include`) are not in the tree: their
    imports show under the nearest module imported by an import statement."""
    lines = []
    for line in importtime.splitlines():
        if not line.startswith("import time:") or line.endswith("imported package"):
            continue
        name = line.rsplit("|", 1)[1]
        lines.append((len(name) - len(name.lstrip()), name.strip()))
    chains = {}
    for index, (depth, name) in enumerate(lines):
        chain = [name]
        for later_depth, later_name in lines[index + 1 :]:
            if later_depth < depth:
                chain.append(later_name)
                depth = later_depth
        chains.setdefault(name, chain[::-1])
    return chains


def culprit(chain: list[str]) -> str:
    """`fazhi.x.y (via fazhi.urls → … → fazhi.x.y → lib → …)`: the fazhi module that imported the
    library last on the way down, which is where the import must move."""
    ours = [name for name in chain if name == "fazhi" or name.startswith("fazhi.")]
    first = ours[-1] if ours else "(no fazhi module)"
    return f"{first}  (via {' → '.join(chain)})"


def test_a_web_worker_imports_no_document_library_until_a_request_needs_it(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fazhi.settings",
        "FAZHI_DATA_DIR": str(tmp_path / "data"),
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-X", "importtime", "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    loaded = json.loads(result.stdout.splitlines()[-1])
    # The probe really loaded the site: pages and every app's API router.
    assert loaded["routes"] > 300, loaded["routes"]
    assert "fazhi.filing.api" in loaded["modules"]
    assert "fazhi.surveys.views" in loaded["modules"]

    top_level = {name.partition(".")[0] for name in loaded["modules"]}
    chains = importers(result.stderr)
    culprits = {
        library: culprit(chains.get(library, [library]))
        for library in HEAVY
        if library in top_level
    }
    assert not culprits, "A web worker imports at start-up:\n" + "\n".join(
        f"  {library}: first imported by {where}" for library, where in culprits.items()
    )


def test_the_stand_ins_for_openpyxl_on_the_web_path_agree_with_it():
    """Column letters in import messages and the characters an export drops come from fazhi's
    own code, so that pages need not import openpyxl; they must say what openpyxl says."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils import get_column_letter

    from fazhi.core import xlsx
    from fazhi.core.spreadsheets import column_letter

    assert [column_letter(n) for n in range(1, 18_279)] == [
        get_column_letter(n) for n in range(1, 18_279)
    ]
    every_character = "".join(map(chr, range(0x110000)))
    assert xlsx.ILLEGAL_CHARACTERS_RE.findall(every_character) == ILLEGAL_CHARACTERS_RE.findall(
        every_character
    )
    assert xlsx.safe_cell("=1+1\x07") == "'=1+1"
