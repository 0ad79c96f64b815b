"""Old binary formats (.doc and .wps, .xls and .et that xlrd cannot read, .ppt and .dps, .rtf,
ODF) through LibreOffice in headless mode: the file is converted to its modern counterpart in a
private temporary folder and read from there.

Every call gets a fresh LibreOffice profile and HOME, so parallel workers never share (and lock)
one; the process runs in its own session so that a timeout kills it with all its children."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

from fazhi.core.tempfiles import temp_dir

from .result import ExtractionError

TIMEOUT_SECONDS = 180
# What each old format becomes; the modern format keeps tables, sheets and slides apart.
TARGETS = {
    "doc": "docx",
    "rtf": "docx",
    "odt": "docx",
    "xls": "xlsx",
    "ods": "xlsx",
    "ppt": "pptx",
    "odp": "pptx",
}


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_available() -> bool:
    return soffice_path() is not None


@contextlib.contextmanager
def converted(path: Path, kind: str, *, shown_as: str) -> Iterator[Path]:
    """The file, holding a `kind` document, converted to TARGETS[kind] and alive until the block
    ends. `shown_as` is the extension the user knows the file by, for messages."""
    program = soffice_path()
    if program is None:
        raise ExtractionError(
            f"需要安装 LibreOffice 才能读取 .{shown_as} 文件的文字，请联系系统管理员，"
            "或把文件另存为 .docx / .xlsx / .pptx / PDF 后上传。"
        )
    target = TARGETS[kind]
    with temp_dir("lo-") as workdir:
        work = Path(workdir)
        # Named by its content: LibreOffice picks import filters partly by extension, and would
        # take a .wps for Microsoft Works rather than the Word file WPS writes.
        source = work / f"source.{kind}"
        try:
            source.symlink_to(path.resolve())
        except OSError:
            shutil.copyfile(path, source)
        (work / "out").mkdir()
        _run(program, source, target, work)
        result = work / "out" / f"source.{target}"
        if not result.is_file() or result.stat().st_size == 0:
            raise ExtractionError(
                f"LibreOffice 无法转换该 .{shown_as} 文件（文件可能已损坏或设置了打开密码）。"
            )
        yield result


def _run(program: str, source: Path, target: str, work: Path) -> None:
    with soffice_run(program, [source], target=target, outdir=work / "out", work=work) as process:
        try:
            process.wait(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired as exc:
            raise ExtractionError(
                f"LibreOffice 转换超时（超过 {TIMEOUT_SECONDS} 秒），文件可能过大或已损坏。"
            ) from exc


@contextlib.contextmanager
def soffice_run(
    program: str, sources: list[Path], *, target: str, outdir: Path, work: Path
) -> Iterator[subprocess.Popen]:
    """LibreOffice converting `sources` to `target` (an extension: "docx", "pdf") into `outdir`,
    with its profile, HOME and temporary files in `work`. However the block ends, the process is
    killed with all its children if it is still running; the caller decides how long to wait."""
    (work / "home").mkdir(exist_ok=True)
    command = [
        program,
        f"-env:UserInstallation={(work / 'profile').as_uri()}",
        "--headless",
        "--invisible",
        "--nodefault",
        "--nolockcheck",
        "--nologo",
        "--norestore",
        "--convert-to",
        target,
        "--outdir",
        str(outdir),
        *map(str, sources),
    ]
    # Only what LibreOffice needs: it parses untrusted files and need not see our secrets.
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": str(work / "home"),
        "TMPDIR": str(work),
    }
    # The program is LibreOffice found on PATH and the arguments are our own paths; no shell.
    process = subprocess.Popen(  # noqa: S603
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment,
        cwd=work,
        start_new_session=True,  # so that a kill takes its children too
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
