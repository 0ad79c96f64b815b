"""Tests for unpacking uploaded ZIP archives. Pure Python: no database, no Django.

Archives whose bytes matter (GBK names, lying headers, flags zipfile will not write) are built
byte by byte with ``build_zip``; ordinary ones with zipfile itself.
"""

import io
import random
import shutil
import stat
import struct
import subprocess
import tracemalloc
import zipfile
import zlib

import pytest

from fazhi.evidence.archives import (
    ArchiveError,
    ArchiveLimits,
    is_zip,
    unpack_zip,
)
from fazhi.evidence.tests.zips import Entry, build_zip

MB = 1024**2
GBK_PATH = "3.2.37 行政复议/复议决定书.pdf"


def make_zip(path, files, method=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def zip_bytes(files):
    buffer = io.BytesIO()
    make_zip(buffer, files)
    return buffer.getvalue()


def unpack(tmp_path, source, **limits):
    dest = tmp_path / "out"
    dest.mkdir(exist_ok=True)
    return unpack_zip(source, dest, limits=ArchiveLimits(**limits))


def paths(result):
    return [member.path for member in result.members]


def reasons(result):
    return {skipped.path: skipped.reason for skipped in result.skipped}


def written_files(tmp_path):
    return sorted(p for p in (tmp_path / "out").rglob("*") if p.is_file())


def prose(rng, length):
    """Text that compresses about as well as a real document."""
    return "".join(
        rng.choices("依法行政执法决策公开复议诉讼应诉普法考核年第号。，、0123456789", k=length)
    )


def unicode_path_field(unicode_name, raw_name):
    data = b"\x01" + struct.pack("<L", zlib.crc32(raw_name)) + unicode_name.encode("utf-8")
    return struct.pack("<HH", 0x7075, len(data)) + data


# Names ---------------------------------------------------------------------------------------


def test_names_flagged_as_utf8_are_kept(tmp_path):
    source = make_zip(tmp_path / "a.zip", {GBK_PATH: b"%PDF"})
    assert zipfile.ZipFile(source).infolist()[0].flag_bits & 0x800

    result = unpack(tmp_path, source)

    assert paths(result) == [GBK_PATH]
    assert result.members[0].temp_path.read_bytes() == b"%PDF"


def test_gbk_names_without_the_utf8_flag_are_decoded_as_chinese_windows_wrote_them(tmp_path):
    source = build_zip(tmp_path / "a.zip", Entry(GBK_PATH.encode("gbk")))
    assert GBK_PATH.encode("gbk") in source.read_bytes()
    assert GBK_PATH.encode("utf-8") not in source.read_bytes()
    assert not zipfile.ZipFile(source).infolist()[0].flag_bits & 0x800

    assert paths(unpack(tmp_path, source)) == [GBK_PATH]


def test_utf8_names_without_the_flag_are_decoded_as_utf8(tmp_path):
    source = build_zip(tmp_path / "a.zip", Entry(GBK_PATH.encode("utf-8")))
    assert not zipfile.ZipFile(source).infolist()[0].flag_bits & 0x800

    assert paths(unpack(tmp_path, source)) == [GBK_PATH]


def test_a_gbk_byte_that_looks_like_a_backslash_stays_inside_its_character(tmp_path):
    name = "诚信档案\\誠信承诺.docx"  # GBK for 誠 is 0xD5 0x5C
    assert b"\xd5\x5c" in name.encode("gbk")
    source = build_zip(tmp_path / "a.zip", Entry(name.encode("gbk")))

    assert paths(unpack(tmp_path, source)) == ["诚信档案/誠信承诺.docx"]


def test_names_that_are_neither_utf8_nor_gb18030_are_kept_readable(tmp_path):
    source = build_zip(tmp_path / "a.zip", Entry(b"scan\xff.pdf"))

    assert paths(unpack(tmp_path, source)) == ["scan\u00a0.pdf"]  # cp437's reading of 0xFF


def test_a_gbk_name_flagged_as_utf8_refuses_the_archive_naming_it(tmp_path):
    # zipfile reads no member of such an archive; the uploader learns which name and what to do.
    source = build_zip(
        tmp_path / "a.zip", Entry("复议决定书.pdf".encode("gbk"), flags=0x800), Entry("a.pdf")
    )

    with pytest.raises(ArchiveError) as refused:
        unpack(tmp_path, source)

    assert str(refused.value).startswith("压缩包中文件名“复议决定书.pdf”标记为 UTF-8 编码")
    assert "重新压缩" in str(refused.value)


def test_the_unicode_path_extra_field_wins_over_the_header_name(tmp_path):
    raw = "复议决定书.pdf".encode("gbk")
    extra = unicode_path_field("复议決定書.pdf", raw)
    source = build_zip(tmp_path / "a.zip", Entry(raw, extra=extra))

    assert paths(unpack(tmp_path, source)) == ["复议決定書.pdf"]


def test_a_stale_unicode_path_extra_field_is_ignored(tmp_path):
    extra = unicode_path_field("旧名称.pdf", "旧名称.pdf".encode("gbk"))
    source = build_zip(tmp_path / "a.zip", Entry("新名称.pdf".encode("gbk"), extra=extra))

    assert paths(unpack(tmp_path, source)) == ["新名称.pdf"]


# Paths ---------------------------------------------------------------------------------------


def test_windows_backslash_paths_become_posix_paths(tmp_path):
    name = "3.2.37 行政复议\\2024年\\.\\复议决定书.pdf"
    source = build_zip(tmp_path / "a.zip", Entry(name.encode("gbk")))

    assert paths(unpack(tmp_path, source)) == ["3.2.37 行政复议/2024年/复议决定书.pdf"]


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "材料/../../x.pdf", "..\\..\\Windows\\win.ini", "材料/.../x.pdf", ".. /x"],
)
def test_names_that_climb_out_of_the_archive_are_skipped(tmp_path, name):
    source = build_zip(tmp_path / "a.zip", Entry(name.encode("gbk")), Entry("ok.txt"))

    result = unpack(tmp_path, source)

    assert paths(result) == ["ok.txt"]
    assert reasons(result) == {name.replace("\\", "/"): "路径不安全（包含“..”），已跳过"}
    assert len(written_files(tmp_path)) == 1


@pytest.mark.parametrize(
    ("name", "expected"),
    [("/abs/x.pdf", "abs/x.pdf"), ("C:\\x.pdf", "x.pdf"), ("D:/材料/y.pdf", "材料/y.pdf")],
)
def test_absolute_paths_and_drive_letters_are_made_relative(tmp_path, name, expected):
    source = build_zip(tmp_path / "a.zip", Entry(name.encode("gbk")))

    assert paths(unpack(tmp_path, source)) == [expected]


def test_nothing_is_ever_written_outside_dest_dir(tmp_path):
    names = ["../../escape.txt", "/abs/escape.txt", "C:\\escape.txt", "a/../../../escape.txt"]
    source = build_zip(tmp_path / "a.zip", *(Entry(name) for name in names))

    result = unpack(tmp_path, source)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.zip", "out"]
    dest = (tmp_path / "out").resolve()
    assert all(member.temp_path.resolve().is_relative_to(dest) for member in result.members)
    assert paths(result) == ["abs/escape.txt", "escape.txt"]


def test_folders_and_operating_system_junk_are_dropped_silently(tmp_path):
    junk = ["材料/", "__MACOSX/材料/._报告.pdf", ".DS_Store", "材料/Thumbs.db", "Desktop.ini"]
    source = build_zip(
        tmp_path / "a.zip",
        *(Entry(name) for name in [*junk, "材料/~$报告.docx", "材料/报告.docx"]),
        Entry("扫描件\\".encode("gbk")),
    )

    result = unpack(tmp_path, source)

    assert paths(result) == ["材料/报告.docx"]
    assert result.skipped == []
    assert len(written_files(tmp_path)) == 1


def test_symlinks_are_skipped(tmp_path):
    link = Entry(
        "link.pdf", data=b"/etc/passwd", system=3, external_attr=(stat.S_IFLNK | 0o777) << 16
    )
    source = build_zip(tmp_path / "a.zip", link, Entry("real.pdf"))

    result = unpack(tmp_path, source)

    assert paths(result) == ["real.pdf"]
    assert reasons(result) == {"link.pdf": "符号链接，已跳过"}


def test_duplicate_paths_get_a_numbered_suffix(tmp_path):
    names = [
        "材料/报告.pdf",
        "材料\\报告.pdf",
        "材料/./报告.PDF",
        "材料/报告 (2).pdf",
        "说明",
        "说明",
    ]
    source = build_zip(tmp_path / "a.zip", *(Entry(name) for name in names))

    result = unpack(tmp_path, source)

    assert paths(result) == [
        "材料/报告.pdf",
        "材料/报告 (2).pdf",
        "材料/报告 (3).PDF",
        "材料/报告 (2) (2).pdf",
        "说明",
        "说明 (2)",
    ]
    assert len({member.temp_path for member in result.members}) == 6


def test_members_come_back_in_archive_order_with_nested_members_in_place(tmp_path):
    inner = zip_bytes({"b.txt": b"b", "a.txt": b"a"})
    files = {"z.txt": b"z", "内层.zip": inner, "c/1.txt": b"1", "a.txt": b"a"}
    source = make_zip(tmp_path / "a.zip", files)

    result = unpack(tmp_path, source)

    assert paths(result) == ["z.txt", "内层/b.txt", "内层/a.txt", "c/1.txt", "a.txt"]
    assert [m.temp_path.read_bytes() for m in result.members] == [b"z", b"b", b"a", b"1", b"a"]


def test_members_keep_their_extension_and_real_size(tmp_path):
    data = random.Random(1).randbytes(3 * MB + 17)  # several chunks
    source = make_zip(tmp_path / "a.zip", {"扫描件.PDF": data, "无扩展名": b""})

    first, second = unpack(tmp_path, source).members

    assert (first.size, first.temp_path.suffix) == (len(data), ".pdf")
    assert first.temp_path.read_bytes() == data
    assert (second.size, second.temp_path.suffix) == (0, "")


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_every_method_zipfile_writes_is_unpacked(tmp_path, method):
    text = prose(random.Random(4), 700_000).encode()  # 2 MB: several reads of each kind
    source = make_zip(tmp_path / "a.zip", {"材料.txt": text}, method=method)

    (member,) = unpack(tmp_path, source).members

    assert member.size == len(text)
    assert member.temp_path.read_bytes() == text


# Limits --------------------------------------------------------------------------------------


def test_a_zip_bomb_refuses_the_whole_archive_and_leaves_nothing_behind(tmp_path):
    source = make_zip(tmp_path / "a.zip", {"正常.pdf": b"%PDF" * 1000, "炸弹.txt": bytes(8 * MB)})
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "caller.txt").write_text("not ours")

    with pytest.raises(ArchiveError, match="解压炸弹") as refused:
        unpack(tmp_path, source)

    assert "炸弹.txt" in str(refused.value)
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["caller.txt"]


def test_a_bzip2_bomb_with_an_understated_header_is_refused(tmp_path):
    bomb = Entry("炸弹.txt", data=bytes(32 * MB), method=zipfile.ZIP_BZIP2, declared_size=10)
    source = build_zip(tmp_path / "a.zip", bomb)

    with pytest.raises(ArchiveError, match="解压炸弹"):
        unpack(tmp_path, source)

    assert written_files(tmp_path) == []


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_highly_compressed_members_are_streamed_in_bounded_memory(tmp_path, method):
    # zipfile alone would hold this whole bzip2 member in memory after a single read. The
    # largest fixed cost is LZMA's dictionary: 8 MB at the preset zipfile writes.
    source = make_zip(tmp_path / "a.zip", {"zeros.bin": bytes(32 * MB)}, method=method)

    tracemalloc.start()
    try:
        (member,) = unpack(tmp_path, source, max_ratio=10**9).members
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert member.size == 32 * MB
    assert peak < 16 * MB


def test_a_header_claiming_a_huge_size_does_not_stop_a_small_file(tmp_path):
    source = build_zip(
        tmp_path / "a.zip", Entry("小文件.pdf", data=b"%PDF-1.7", declared_size=3 * 1024**3)
    )

    (member,) = unpack(tmp_path, source, max_member_bytes=MB).members

    assert (member.path, member.size) == ("小文件.pdf", 8)


def test_a_header_understating_the_size_yields_no_silently_truncated_file(tmp_path):
    source = build_zip(tmp_path / "a.zip", Entry("大文件.pdf", data=b"x" * 5000, declared_size=10))

    result = unpack(tmp_path, source)

    assert result.members == []
    assert reasons(result) == {"大文件.pdf": "文件已损坏（校验失败），无法解压，已跳过"}
    assert written_files(tmp_path) == []


def test_a_member_over_the_size_limit_is_skipped_and_its_partial_output_removed(tmp_path):
    data = random.Random(2).randbytes(3 * MB)
    source = make_zip(tmp_path / "a.zip", {"录像.mp4": data, "说明.txt": b"ok"})

    result = unpack(tmp_path, source, max_member_bytes=2 * MB)

    assert paths(result) == ["说明.txt"]
    assert reasons(result) == {"录像.mp4": "文件超过单个文件 2 MB 的上限，已跳过"}
    assert len(written_files(tmp_path)) == 1


def test_too_many_bytes_in_all_refuse_the_archive(tmp_path):
    files = {f"{n}.bin": random.Random(n).randbytes(400) for n in range(3)}
    source = make_zip(tmp_path / "a.zip", files)

    with pytest.raises(ArchiveError, match="解压后超过 1000 字节"):
        unpack(tmp_path, source, max_total_bytes=1000)

    assert written_files(tmp_path) == []


def test_too_many_files_refuse_the_archive_and_folders_do_not_count(tmp_path):
    source = build_zip(tmp_path / "a.zip", Entry("材料/"), *(Entry(f"{n}.txt") for n in range(4)))

    assert len(unpack(tmp_path, source, max_members=4).members) == 4
    shutil.rmtree(tmp_path / "out")
    with pytest.raises(ArchiveError, match="文件超过 3 个"):
        unpack(tmp_path, source, max_members=3)
    assert written_files(tmp_path) == []


def test_limits_count_the_members_of_nested_archives(tmp_path):
    inner = zip_bytes({f"{n}.txt": b"x" for n in range(3)})
    source = make_zip(tmp_path / "a.zip", {"前.txt": b"x", "内层.zip": inner})

    with pytest.raises(ArchiveError, match="文件超过 4 个"):
        unpack(tmp_path, source, max_members=4)

    assert written_files(tmp_path) == []


def test_a_bomb_inside_a_nested_archive_refuses_the_whole_upload(tmp_path):
    inner = zip_bytes({"炸弹.txt": bytes(8 * MB)})
    source = make_zip(tmp_path / "a.zip", {"前.txt": b"x", "内层.zip": inner})

    with pytest.raises(ArchiveError, match="内层/炸弹.txt"):
        unpack(tmp_path, source)

    assert list((tmp_path / "out").iterdir()) == []


# Damaged and unusual members -----------------------------------------------------------------


def test_encrypted_members_are_skipped(tmp_path):
    source = build_zip(tmp_path / "a.zip", Entry("密件.docx", flags=0x1), Entry("公开.docx"))

    result = unpack(tmp_path, source)

    assert paths(result) == ["公开.docx"]
    assert reasons(result) == {"密件.docx": "文件已加密，无法解压；请去掉密码后重新压缩上传"}


@pytest.mark.skipif(shutil.which("zip") is None, reason="needs Info-ZIP's zip")
def test_members_encrypted_by_the_zip_tool_are_skipped(tmp_path):
    (tmp_path / "report.pdf").write_bytes(b"%PDF secret")
    subprocess.run(["zip", "-q", "-P", "secret", "a.zip", "report.pdf"], cwd=tmp_path, check=True)

    result = unpack(tmp_path, tmp_path / "a.zip")

    assert result.members == []
    assert reasons(result)["report.pdf"].startswith("文件已加密")


def test_unsupported_compression_methods_are_skipped_with_the_method_named(tmp_path):
    source = build_zip(tmp_path / "a.zip", Entry("大文件.pdf", method=9, payload=b"\x00" * 64))

    result = unpack(tmp_path, source)

    assert reasons(result) == {
        "大文件.pdf": "压缩方式（Deflate64）不受支持，无法解压；请用常规 ZIP 格式重新压缩"
    }


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2])
def test_a_member_with_a_bad_crc_is_skipped_and_its_output_removed(tmp_path, method):
    source = build_zip(
        tmp_path / "a.zip",
        Entry("坏.pdf", method=method, crc=12345),
        Entry("好.pdf", method=method),
    )

    result = unpack(tmp_path, source)

    assert paths(result) == ["好.pdf"]
    assert reasons(result) == {"坏.pdf": "文件已损坏（校验失败），无法解压，已跳过"}
    assert len(written_files(tmp_path)) == 1


def test_a_member_with_garbled_data_is_skipped(tmp_path):
    source = build_zip(tmp_path / "a.zip", Entry("坏.pdf", payload=b"\xff" * 100), Entry("好.pdf"))

    result = unpack(tmp_path, source)

    assert paths(result) == ["好.pdf"]
    assert list(reasons(result)) == ["坏.pdf"]


# Nested archives -----------------------------------------------------------------------------


def test_a_nested_zip_with_chinese_names_is_unpacked_under_its_own_name(tmp_path):
    inner = tmp_path / "inner.zip"
    build_zip(inner, Entry(GBK_PATH.encode("gbk"), data=b"%PDF"), Entry("材料\\".encode("gbk")))
    files = {"2024年佐证材料.zip": inner.read_bytes(), "说明.docx": b"docx"}
    source = make_zip(tmp_path / "a.zip", files)

    result = unpack(tmp_path, source)

    assert paths(result) == [f"2024年佐证材料/{GBK_PATH}", "说明.docx"]
    assert result.members[0].temp_path.read_bytes() == b"%PDF"
    assert not [p for p in written_files(tmp_path) if p.suffix == ".zip"]


def test_a_zip_nested_beyond_max_depth_is_skipped(tmp_path):
    innermost = zip_bytes({"最里层.pdf": b"%PDF"})
    middle = zip_bytes({"中层.pdf": b"%PDF", "三层.zip": innermost})
    source = make_zip(tmp_path / "a.zip", {"二层.zip": middle})

    result = unpack(tmp_path, source)

    assert paths(result) == ["二层/中层.pdf"]
    assert reasons(result) == {"二层/三层.zip": "嵌套压缩包层数过多，已跳过"}
    assert len(written_files(tmp_path)) == 1


def test_a_higher_max_depth_unpacks_deeper_archives(tmp_path):
    innermost = zip_bytes({"最里层.pdf": b"%PDF"})
    source = make_zip(tmp_path / "a.zip", {"二层.zip": zip_bytes({"三层.zip": innermost})})

    assert paths(unpack(tmp_path, source, max_depth=3)) == ["二层/三层/最里层.pdf"]


def test_max_depth_one_unpacks_no_nested_archive(tmp_path):
    source = make_zip(tmp_path / "a.zip", {"二层.zip": zip_bytes({"a.pdf": b"%PDF"})})

    result = unpack(tmp_path, source, max_depth=1)

    assert result.members == []
    assert reasons(result) == {"二层.zip": "嵌套压缩包层数过多，已跳过"}


def test_a_damaged_nested_zip_is_skipped_and_the_rest_kept(tmp_path):
    broken = zip_bytes({"a.pdf": b"%PDF"})[:-30]
    source = make_zip(tmp_path / "a.zip", {"坏.zip": broken, "好.pdf": b"%PDF"})

    result = unpack(tmp_path, source)

    assert paths(result) == ["好.pdf"]
    assert reasons(result) == {"坏.zip": "嵌套压缩包已损坏或不是 ZIP 格式，无法解压，已跳过"}


def test_other_archives_and_fake_zips_are_kept_as_files(tmp_path):
    files = {"会议录音.rar": b"Rar!\x1a\x07\x00", "照片.7z": b"7z\xbc\xaf", "其实是文本.zip": b"hi"}
    source = make_zip(tmp_path / "a.zip", files)

    assert paths(unpack(tmp_path, source)) == list(files)


def test_office_documents_are_not_unpacked_although_they_are_zips(tmp_path):
    docx = zip_bytes({"word/document.xml": b"<w:document/>"})
    source = make_zip(tmp_path / "a.zip", {"报告.docx": docx})

    (member,) = unpack(tmp_path, source).members

    assert member.path == "报告.docx"
    assert is_zip(member.temp_path)


# Whole archives ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"", b"not a zip at all", b"PK\x03\x04" + b"\x00" * 100, zip_bytes({"a.pdf": b"x"})[:-10]],
    ids=["empty file", "text", "local header only", "truncated"],
)
def test_a_damaged_or_foreign_file_is_refused(tmp_path, content):
    source = tmp_path / "a.zip"
    source.write_bytes(content)

    with pytest.raises(ArchiveError) as refused:
        unpack(tmp_path, source)

    assert str(refused.value).startswith("压缩包已损坏或不是 ZIP 格式")
    assert list((tmp_path / "out").iterdir()) == []


def test_an_empty_archive_unpacks_to_nothing(tmp_path):
    source = make_zip(tmp_path / "a.zip", {})

    result = unpack(tmp_path, source)

    assert (result.members, result.skipped) == ([], [])


def test_is_zip_looks_at_the_content(tmp_path):
    (tmp_path / "real.bin").write_bytes(zip_bytes({"a": b"a"}))
    (tmp_path / "empty.zip").write_bytes(zip_bytes({}))
    (tmp_path / "fake.zip").write_bytes(b"%PDF-1.7")
    (tmp_path / "nothing.zip").write_bytes(b"")

    assert [is_zip(tmp_path / name) for name in ("real.bin", "empty.zip")] == [True, True]
    assert [is_zip(tmp_path / name) for name in ("fake.zip", "nothing.zip")] == [False, False]


def test_randomly_damaged_archives_are_unpacked_or_refused_never_crash(tmp_path):
    files = {"材料/报告.pdf": b"%PDF" * 300, "内层.zip": zip_bytes({"a.txt": b"a" * 500})}
    pristine = zip_bytes(files)
    rng = random.Random(3)
    source = tmp_path / "a.zip"
    for _ in range(300):
        damaged = bytearray(pristine)
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        source.write_bytes(damaged)
        try:
            result = unpack(tmp_path, source)
        except ArchiveError:
            assert list((tmp_path / "out").iterdir()) == []
        else:
            assert len(written_files(tmp_path)) == len(result.members)
        shutil.rmtree(tmp_path / "out")
