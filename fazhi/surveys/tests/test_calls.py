"""The phone survey's call log from the call centre's table: rates per stratum, bad rows named."""

import io

import pytest
from django.core.management import CommandError, call_command

from fazhi.surveys import selectors
from fazhi.surveys.models import CallAttempt


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("survey", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_call_log_import_gives_contact_and_refusal_rates(wave, tmp_path):
    path = tmp_path / "拨打记录.csv"
    rows = ["样本号,镇街,拨打结果,访问员,拨打时间"]
    outcomes = ["完成", "拒访", "无人接听", "空号", "非本地居民", "预约再访", "完成", "未接通"]
    rows += [f"1380000{i:04d},孟庄镇,{o},王敏,2025/6/{i + 1} 10:30" for i, o in enumerate(outcomes)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert "8 calls imported" in _run("calls", str(wave.pk), str(path))
    row = next(r for r in selectors.call_summary(wave) if r.name == "孟庄镇")
    # 8 calls: 2 completes; contacts 完成×2, 拒访, 非本地居民, 约访 = 5; refusals 1 of 5.
    assert (row.calls, row.completes, row.contacts, row.refusals) == (8, 2, 5, 1)
    assert row.contact_rate == 5 / 8 and row.refusal_rate == 1 / 5 and row.calls_per_complete == 4
    assert CallAttempt.objects.filter(called_at__day=3).count() == 1


def test_bad_rows_are_named_and_nothing_is_stored(wave, tmp_path):
    path = tmp_path / "拨打记录.csv"
    path.write_text(
        "样本号,镇街,拨打结果\n138,孟庄镇,完成\n139,火星镇,完成\n140,孟庄镇,挂断了\n,孟庄镇,完成\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="3 处问题"):
        call_command("survey", "calls", str(wave.pk), str(path), stderr=err)
    assert err.getvalue().splitlines() == [
        "第 3 行 B 列：“火星镇”在市中区的组织机构中找不到对应的镇街或单位",
        "第 4 行 C 列：拨打结果“挂断了”无法识别，应为完成、拒访、无人接听、空号/停机、非本地居民或约访",
        "第 5 行 A 列：没有填写样本号",
    ]
    assert CallAttempt.objects.count() == 0
