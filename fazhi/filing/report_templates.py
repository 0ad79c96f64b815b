"""The self-assessment report's Word template per region: a region uses its own, else the
nearest region's above it, else the built-in one (`fazhi.filing.report_default`).

An upload is checked before anything is stored: a real .docx within the size limits, and one that
renders with a sample of every name the report provides (`fazhi.filing.report_vocabulary`). A
broken template is refused with what is wrong in it, in words its author can act on: the Jinja
error with the tag it stopped at, or the names no report provides. A replacement stores the new
file first, switches the row in a transaction, and deletes the old file only once that committed,
so at every moment the row names a file that exists.

python-docx and docxtpl are imported in the functions that render or check a template: a web
worker needs them only while it drafts a report or checks an upload."""

from __future__ import annotations

import html
import logging
import re
import uuid
import zipfile
from io import BytesIO
from pathlib import PurePosixPath
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from jinja2 import (
    ChainableUndefined,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from fazhi.accounts.audit import audit_record
from fazhi.core.officezip import OfficeZipRefused, check_office_zip
from fazhi.core.scoping import can_write_at, is_editable
from fazhi.filing.models import ReportTemplate
from fazhi.filing.report_vocabulary import sample_context
from fazhi.orgs.models import Region

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024  # a report template is text and a logo, not a photo album
STORAGE_FOLDER = "reports/templates"
DOCX_PARTS = ("[Content_Types].xml", "word/document.xml")
TEXT_PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes)\.xml")
TAG = re.compile(r"\{[{%].*?[%}]\}", re.DOTALL)
OWNER_ROLES_TEXT = "本地区的系统管理员或牵头科室管理员"


# -- rendering -----------------------------------------------------------------------------------


def template_environment(*, strict: bool = False) -> SandboxedEnvironment:
    """The Jinja environment templates run in: sandboxed (an uploaded template is code from
    outside), escaping values for the document's XML. Strict when checking an upload, so that
    a misspelt name is caught there; lenient when drafting, so that a report is never refused
    for a blank."""
    undefined = StrictUndefined if strict else ChainableUndefined
    return SandboxedEnvironment(autoescape=True, undefined=undefined)


def fill(template: bytes, context: dict, out: IO[bytes], *, strict: bool = False) -> None:
    """Render a docxtpl template with `context` into `out`."""
    from docxtpl import DocxTemplate

    document = DocxTemplate(BytesIO(template))
    document.render(context, template_environment(strict=strict), autoescape=True)
    document.save(out)


# -- reads ---------------------------------------------------------------------------------------


def template_for(region: Region | None) -> ReportTemplate | None:
    """The template in force for `region`: its own, else the nearest region's above it. None
    means the built-in template."""
    if region is None:
        return None
    return (
        ReportTemplate.objects.filter(region__code__in=region.ancestor_codes)
        .select_related("region", "uploaded_by")
        .order_by("-region__depth")
        .first()
    )


def template_content(region: Region | None) -> bytes:
    """The bytes of the template in force for `region`. A stored file that has gone missing
    falls back to the built-in template, so that a report can still be drafted."""
    from fazhi.filing.report_default import default_template_bytes

    template = template_for(region)
    if template is None:
        return default_template_bytes()
    try:
        with default_storage.open(template.storage_name, "rb") as stored:
            return stored.read()
    except FileNotFoundError:
        log.error("report template file %s of %s is missing", template.storage_name, region)
        return default_template_bytes()


def may_manage_templates(user, region: Region | None) -> bool:
    return region is not None and can_write_at(user, ReportTemplate, region=region)


# -- writes --------------------------------------------------------------------------------------


def report_template_upload(*, acting_user, region: Region, uploaded_file) -> ReportTemplate:
    """Make `uploaded_file` the report template of `region` (and of the regions below it that
    have none of their own), replacing the region's previous one."""
    if not may_manage_templates(acting_user, region):
        raise PermissionDenied(f"只有{OWNER_ROLES_TEXT}可以更换自评报告模板。")
    name = PurePosixPath(uploaded_file.name or "模板.docx").name
    content = _read(uploaded_file, name)
    check_template(content, name=name)
    stored = default_storage.save(
        f"{STORAGE_FOLDER}/{region.code}/{uuid.uuid4().hex}.docx", ContentFile(content)
    )
    try:
        with transaction.atomic():
            Region.objects.select_for_update().get(pk=region.pk)  # one replacement at a time
            previous = ReportTemplate.objects.filter(region=region).first()
            template, _ = ReportTemplate.objects.update_or_create(
                region=region,
                defaults={
                    "original_name": name[:255],
                    "storage_name": stored,
                    "size": len(content),
                    "uploaded_by": _stored_user(acting_user),
                },
            )
            audit_record(
                acting_user=acting_user,
                action="report_template.upload",
                target=template,
                region=region,
                before={"original_name": previous.original_name} if previous else None,
                after={"original_name": template.original_name, "size": template.size},
            )
            if previous is not None:
                old = previous.storage_name
                transaction.on_commit(lambda: _delete_file(old))
    except BaseException:
        _delete_file(stored)
        raise
    return template


def report_template_reset(*, acting_user, region: Region) -> None:
    """Remove the region's own template: it goes back to the one above it or the built-in."""
    template = ReportTemplate.objects.filter(region=region).first()
    if template is None:
        raise ValidationError(f"{region.name}没有自己的模板，正在使用的是上级地区或内置的模板。")
    if not is_editable(acting_user, ReportTemplate, template.pk):
        raise PermissionDenied(f"只有{OWNER_ROLES_TEXT}可以恢复自评报告模板。")
    with transaction.atomic():
        audit_record(
            acting_user=acting_user,
            action="report_template.reset",
            target=template,
            region=region,
            before={"original_name": template.original_name, "size": template.size},
        )
        template.delete()
        transaction.on_commit(lambda: _delete_file(template.storage_name))


def _stored_user(user):
    return user if getattr(user, "pk", None) else None


def _delete_file(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:  # already gone: nothing to clean
        log.warning("could not delete %s", name)


# -- checking an upload --------------------------------------------------------------------------


def _read(uploaded_file, name: str) -> bytes:
    suffix = PurePosixPath(name).suffix.lower()
    if suffix != ".docx":
        raise ValidationError(
            f"“{name}”不是 .docx 文件。自评报告模板须为 Word 文档（.docx）；"
            ".doc、.wps 等格式请先在 Word 或 WPS 中“另存为” .docx 再上传。"
        )
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(f"“{name}”超过 {MAX_BYTES // (1024 * 1024)} MB 的上限，未上传。")
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    content = uploaded_file.read()
    if not content:
        raise ValidationError(f"“{name}”是空文件（0 字节），未上传。")
    if len(content) > MAX_BYTES:
        raise ValidationError(f"“{name}”超过 {MAX_BYTES // (1024 * 1024)} MB 的上限，未上传。")
    return content


def check_template(content: bytes, *, name: str = "模板") -> None:
    """Refuse, with the reason, a file that is not a Word document or that does not render
    with the sample context."""
    from docx import Document
    from docxtpl import DocxTemplate

    _check_docx(content, name)
    document = DocxTemplate(BytesIO(content))
    environment = template_environment(strict=True)
    sample = sample_context()
    missing_field = None  # an UndefinedError: a field that no entry has
    try:
        document.render(sample, environment, autoescape=True)
    except TemplateSyntaxError as exc:
        raise ValidationError(f"模板有语法错误：{template_problem(exc)}") from exc
    except UndefinedError as exc:
        missing_field = exc  # named below, after every unknown name is known
    except TemplateError as exc:
        raise ValidationError(f"模板无法生成报告：{template_problem(exc)}") from exc
    except Exception as exc:  # docxtpl's own troubles (a tag that breaks the document's XML)
        raise ValidationError(f"模板无法生成报告：{exc}") from exc
    tags = template_tags(content)
    unknown = sorted(
        DocxTemplate(BytesIO(content)).get_undeclared_template_variables(environment, sample)
    )
    if unknown:
        raise ValidationError(
            f"模板中有报告不提供的变量：{'、'.join(unknown)}{_where(tags, unknown)}。"
            "可用的变量见模板页面的列表，请检查拼写。"
        )
    if missing_field is not None:
        match = NO_ATTRIBUTE.search(str(missing_field))
        field = match.group(1) if match else ""
        raise ValidationError(
            f"模板中有报告不提供的字段“{field}”{_where(tags, [field]) if field else ''}。"
            f"可用的字段见模板页面的列表，请检查拼写。（{missing_field}）"
        )
    try:
        rendered = BytesIO()
        document.save(rendered)
        Document(BytesIO(rendered.getvalue()))
    except Exception as exc:
        raise ValidationError(f"用该模板生成的文档无法打开：{exc}") from exc


def _check_docx(content: bytes, name: str) -> None:
    from docx import Document

    not_word = f"“{name}”不是有效的 Word 文档（.docx），可能已损坏，或只是改了扩展名"
    try:
        check_office_zip(content)  # the same limits as every Office file, before docx opens it
        with zipfile.ZipFile(BytesIO(content)) as archive:
            names = set(archive.namelist())
    except OfficeZipRefused as refused:
        raise ValidationError(f"“{name}”：{refused}。") from refused
    except zipfile.BadZipFile as exc:
        raise ValidationError(f"{not_word}。请在 Word 或 WPS 中另存为 .docx 后再上传。") from exc
    if not all(part in names for part in DOCX_PARTS):
        raise ValidationError(f"{not_word}。")
    try:
        Document(BytesIO(content))
    except Exception as exc:  # python-docx refuses a .docm, a .dotx, a broken part…
        raise ValidationError(f"{not_word}（{exc}）。") from exc


def template_tags(content: bytes) -> list[str]:
    """The Jinja tags written in the document's text, headers and footers, as the author sees
    them (Word splits text into runs; the XML between them is dropped)."""
    tags = []
    with zipfile.ZipFile(BytesIO(content)) as archive:
        for part in sorted(archive.namelist()):
            if TEXT_PARTS.fullmatch(part):
                text = _plain(archive.read(part).decode("utf-8", "replace"))
                tags += [tag for tag in TAG.findall(text) if tag not in tags]
    return tags


def _plain(xml: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", xml))


def _where(tags: list[str], names: list[str]) -> str:
    used = [t for t in tags if any(re.search(rf"\b{re.escape(n)}\b", t) for n in names)]
    return f"（见 {'、'.join(used[:5])}）" if used else ""


# -- what went wrong, in Chinese ------------------------------------------------------------------

UNKNOWN_TAG = re.compile(r"Encountered unknown tag '(\w+)'")
UNCLOSED = re.compile(r"innermost block that needs to be closed is '(\w+)'")
NO_ATTRIBUTE = re.compile(r"has no attribute '([^']+)'")
UNDEFINED = re.compile(r"'([^']+)' is undefined")
DOCXTPL_PREFIXES = ("tr", "tc", "p", "r")


def template_problem(exc: TemplateError) -> str:
    """A Jinja error as a sentence naming the tag it is about."""
    message = (getattr(exc, "message", None) or str(exc)).rstrip(".")
    if isinstance(exc, TemplateSyntaxError):
        return _syntax_problem(exc, message)
    if match := NO_ATTRIBUTE.search(message):
        return f"没有名为“{match.group(1)}”的字段（{message}）。"
    if match := UNDEFINED.search(message):
        return f"没有名为“{match.group(1)}”的变量（{message}）。"
    if isinstance(exc, SecurityError):
        return f"出于安全考虑，模板中不允许这种写法（{message}）。"
    return f"{message}。"


def _syntax_problem(exc: TemplateSyntaxError, message: str) -> str:
    line = _error_line(exc)
    tags = TAG.findall(line)
    if match := UNCLOSED.search(message):
        block = match.group(1)
        problem = f"“{{% {block} %}}”没有对应的“{{% end{block} %}}”"
        if message.startswith("Unexpected end of template"):  # point at where it opened
            tags = _openings(exc, block)[-1:]
    elif match := UNKNOWN_TAG.search(message):
        tag = match.group(1)
        problem = f"无法识别的标签“{tag}”"
        if tag in DOCXTPL_PREFIXES:
            problem += (
                "：“{%tr … %}”只能写在表格的一行中，“{%p … %}”须单独成段，"
                "且“{%”和“tr”“p”之间不能有空格"
            )
        elif tag.startswith("end"):
            problem += "：可能多写了结束标签，或与它对应的开始标签拼错了"
    else:
        problem = "标签写法有误，如括号不成对、表达式不完整"
    where = f"出错处的文字：“{line}”" if line else ""
    if tags:
        where = f"出错处：{'、'.join(tags)}"
    return "。".join(part for part in (problem, where) if part) + f"。（{message}）"


def _error_line(exc: TemplateSyntaxError) -> str:
    """The text of the paragraph the error is in: docxtpl puts each paragraph of the XML on a
    line of its own before handing it to Jinja."""
    source, lineno = getattr(exc, "source", None), exc.lineno
    if not source or not lineno:
        return ""
    lines = source.splitlines()
    if not 0 < lineno <= len(lines):
        return ""
    return _plain(lines[lineno - 1]).strip()[:200]


def _openings(exc: TemplateSyntaxError, block: str) -> list[str]:
    source = getattr(exc, "source", None) or ""
    opening = re.compile(rf"\{{%-?\s*{re.escape(block)}\b")
    return [tag for tag in TAG.findall(_plain(source)) if opening.match(tag)]
