from pathlib import Path

import pytest

from fazhi.exams.tests import samples


@pytest.fixture
def bank_file(tmp_path):
    """Write one of the sample banks to a file named as a user would name it."""

    def write(name: str, maker) -> Path:
        path = tmp_path / name
        path.write_bytes(maker())
        return path

    return write


@pytest.fixture
def bank(tree, people, bank_file):
    """市中区's bank of the ten sample questions, imported by its lead office."""
    from fazhi.exams import services

    path = bank_file("题库.xlsx", samples.excel_columns)
    bank, _ = services.bank_import_file(
        acting_user=people.szq_lead,
        region=tree.szq,
        name="学法考法题库",
        path=path,
        filename=path.name,
    )
    return bank
