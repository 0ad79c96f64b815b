"""`fazhi filing build CAMPAIGN -o DIR`."""

import zipfile

import docx
import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader


def test_the_command_writes_the_package_the_volumes_and_the_report(filed, tmp_path, capsys):
    out = tmp_path / "申报"
    call_command("filing", "build", str(filed.pk), "-o", str(out), "--split", "area")
    written = sorted(p.name for p in out.iterdir())
    printed = capsys.readouterr()
    assert sorted(line.rsplit("/", 1)[-1] for line in printed.out.split()) == written
    assert "汇编" in printed.err  # progress goes to stderr
    [package] = [out / n for n in written if n.endswith(".zip")]
    with zipfile.ZipFile(package) as archive:
        assert archive.testzip() is None
    volumes = [out / n for n in written if n.endswith(".pdf")]
    assert len(volumes) == 2  # one per area
    assert all(len(PdfReader(v).pages) > 2 for v in volumes)
    [report] = [out / n for n in written if n.endswith(".docx")]
    assert filed.name in "\n".join(p.text for p in docx.Document(report).paragraphs)
    # Nothing else is left in the folder: the working files went away.
    assert len(written) == 4


def test_the_command_refuses_bad_options_and_leaves_no_files(filed, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(CommandError, match="每册页数上限"):
        call_command("filing", "build", str(filed.pk), "-o", str(out), "--page-budget", "5")
    assert not out.exists() or not any(out.iterdir())
    with pytest.raises(CommandError, match="没有找到"):
        call_command("filing", "build", "999", "-o", str(out))


def test_the_command_acts_within_the_users_scope(filed, people, tmp_path):
    with pytest.raises(CommandError, match="没有找到"):
        call_command("filing", "--as", "xc_lead", "build", str(filed.pk), "-o", str(tmp_path))
    with pytest.raises(CommandError, match="无权"):
        call_command("filing", "--as", "szq_liaison", "build", str(filed.pk), "-o", str(tmp_path))
