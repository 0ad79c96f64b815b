"""The README and docs/ name only files a clone has: a newcomer follows them from a checkout."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)")
# A path in backticks: starting at a folder of the repository, or leaving it.
PATH = re.compile(r"`((?:\.\./|\.ci/|bench/|docs/|fazhi/|scripts/)[^`\s]*)`")


def named_paths(document: Path) -> list[str]:
    text = document.read_text(encoding="utf-8")
    links = [link for link in LINK.findall(text) if "://" not in link]
    return links + PATH.findall(text)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d.name)
def test_every_file_a_document_names_exists_in_the_repository(document):
    missing = []
    for name in named_paths(document):
        base = (
            ROOT if name.startswith((".ci/", "bench/", "fazhi/", "scripts/")) else document.parent
        )
        target = (base / name).resolve()
        if not target.is_relative_to(ROOT) or not target.exists():
            missing.append(name)
    assert not missing, f"{document.name} names files a clone does not have: {missing}"


def test_the_readme_links_the_design():
    assert "](docs/design.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
