"""Reading the audit log in Chinese: an action's name, and what changed as "字段：旧值 → 新值".

The log stores action codes and JSON pictures of the changed fields (see `audit.py`), which is
what keeps it stable across releases; this module turns them into what an auditor reads on the
page and in the Excel export. Field names come from the target model's verbose names, values
from the fields' choices, dates are formatted, and ids of related rows become their names."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone

# Every action the code base writes. A test scans the source for `audit_record`/`audit_update`
# calls, so a new action without a name here fails the suite.
ACTION_LABELS = {
    "login": "登录",
    "login.failed": "登录失败",
    "login.locked": "锁定期间尝试登录",
    "login.lockout": "账号被锁定",
    "login.ip_locked": "来源地址锁定期间尝试登录",
    "login.ip_lockout": "来源地址被锁定",
    "user.create": "新建用户",
    "user.update": "修改用户",
    "user.reset_password": "重置密码",
    "user.change_password": "修改本人密码",
    "api_token.create": "创建 API 令牌",
    "api_token.revoke": "撤销 API 令牌",
    "region.create": "新建行政区划",
    "unit.create": "新建单位",
    "unit.update": "修改单位",
    "unit.import": "导入单位",
    "framework.create": "导入指标体系",
    "framework.scoring": "修改计分方式",
    "framework.delete": "删除指标体系",
    "campaign.create": "新建创建活动",
    "plan.import": "导入工作计划",
    "plan.advance": "工作计划转入下一步骤",
    "plan.legal_review": "记录合法性审查意见",
    "plan.comment": "对工作计划提出意见",
    "plan.comment_answer": "答复工作计划意见",
    "plan.measure_update": "修改计划措施",
    "plan.adjust": "调整已印发的计划措施",
    "plan.cycle": "设置进展报送周期",
    "plan.progress": "报送计划措施进展",
    "plan.measure_status": "核定计划措施完成状态",
    "plan.milestones": "设定计划措施阶段目标",
    "plan.link_item": "计划措施关联创建指标",
    "plan.unlink_item": "计划措施取消关联创建指标",
    "campaign.update": "修改创建活动",
    "campaign.migrate": "迁移到指标体系新版本",
    "campaign.tasklist_import": "导入任务清单",
    "campaign.grant": "授权查看创建活动",
    "campaign.grant_revoke": "收回查看授权",
    "item.refine": "新增细化指标",
    "item.recheck_done": "完成评分复核",
    "item.reopen": "重新开放任务项",
    "item.update": "修改任务项",
    "item.delete": "删除细化指标",
    "items.assign": "分配任务",
    "item.resolve_unit": "确认责任单位",
    "item.submit": "提交审核",
    "item.return": "退回修改",
    "item.approve": "审核通过",
    "explanation.save": "修改自评说明",
    "self_assessment.save": "修改自评报告的亮点、不足和下一步",
    "evidence.upload": "上传材料",
    "evidence.replace": "上传新版本",
    "evidence.update": "修改材料信息",
    "evidence.delete": "删除材料",
    "evidence.restore": "恢复材料",
    "round.open": "开启审核轮次",
    "round.close": "结束审核轮次",
    "review.decide": "审核结论",
    "assessment.self": "自评打分",
    "assessment.review": "审核评分",
    "assessment.written": "书面评审评分",
    "filing.build": "生成申报材料",
    "filing.choose": "决定申报材料",
    "filing.reorder": "调整申报材料顺序",
    "filing.submit": "提交申报",
    "filing.reopen": "重新打开申报",
    "report_template.upload": "上传自评报告模板",
    "report_template.reset": "恢复自评报告模板",
    "reminders.digest": "发送每日提醒",
    "evaluation.create": "新建评估",
    "evaluation.update": "修改评估",
    "evaluation.applicants_add": "添加申报地区",
    "evaluation.applicant_remove": "移除申报地区",
    "evaluation.evaluator_grant": "授权评估人员",
    "evaluation.scores": "录入评估得分",
    "evaluation.scores_import": "导入评估得分",
    "evaluation.field_parts": "设置实地评估组成部分",
    "evaluation.field_part_score": "录入实地评估分项得分",
    "survey.create": "新建满意度测评",
    "survey.import": "导入满意度测评结果",
    "survey.aliases": "设置测评答案别名",
    "survey.call": "登记电话调查拨打",
    "survey.invitations": "生成问卷邀请",
    "survey.strata": "修改样本单元目标与人口",
    "survey.calls_import": "导入电话调查拨打记录",
    "survey.feed": "满意度测评结果计入评估得分",
    "survey.evidence": "满意度测评结果报告归入佐证材料",
    "exam.bank_import": "导入题库",
    "exam.create": "新建法治能力测试",
    "exam.roster_import": "导入参考人员名单",
    "exam.draw": "随机抽取考生",
    "exam.grade": "简答题评分",
    "inspection.create": "新建督察",
    "inspection.document": "上传督察文书",
    "inspection.import": "导入问题清单",
    "monitoring.import": "导入监测数据",
    "monitoring.metric_save": "修改监测指标",
    "monitoring.figure_report": "报送监测数据",
    "monitoring.figure_correct": "更正监测数据",
    "monitoring.figure_confirm": "确认监测数据",
    "monitoring.binding_save": "绑定监测指标",
    "monitoring.auto_score": "按监测数据自动评分",
    "monitoring.annual_report_save": "登记年度报告",
    "monitoring.template_upload": "更换年度报告模板",
    "inspection.recheck_draw": "抽取回头看样本",
    "finding.create": "登记督察问题",
    "finding.set_unit": "确定问题责任单位",
    "finding.plan": "填报整改方案",
    "finding.progress": "报送整改进展",
    "finding.request_close": "申请销号",
    "finding.close": "审核销号",
    "finding.reject": "退回整改",
    "finding.reopen": "重新打开问题",
    "finding.escalate": "督办逾期问题",
    "finding.recheck": "回头看复查",
    "finding_category.create": "新增问题类别",
    "finding.update": "修改督察问题",
    "finding.milestone_done": "报告阶段目标完成",
    "casereview.standard_import": "导入案卷评查标准",
    "casereview.standard_thresholds": "设置评查等次分数线",
    "casereview.create": "新建案卷评查",
    "casereview.reviewers": "设置评查人员",
    "casereview.import_cases": "导入案件清单",
    "casereview.sample": "抽取评查案卷",
    "casereview.assign": "分配评查案卷",
    "casereview.scan_upload": "上传案卷扫描件",
    "casereview.page_note": "批注案卷页面",
    "casereview.score": "案卷评分",
    "casereview.rectification": "下发案卷评查整改通知",
}

# Keys the services write that are not fields of the target model (counts, names, file facts).
KEY_LABELS = {
    "approved_only": "只收录已通过的任务项",
    "add_units": "增加责任单位",
    "campaign": "创建活动",
    "campaigns": "创建活动",
    "changed": "更新",
    "comment": "意见",
    "created": "新增",
    "date": "日期",
    "deadline": "完成时限",
    "deductions": "扣分",
    "edition": "版本",
    "email": "邮箱",
    "field_score": "实地评估得分",
    "flags": "待核对的扣分标准",
    "per_unit": "每单位抽取件数",
    "seed": "随机种子",
    "share": "抽取比例",
    "standards": "评查标准",
    "vetoes": "否决项",
    "file": "文件",
    "framework": "指标体系",
    "is_active": "启用",
    "item": "任务项",
    "items": "任务项",
    "lead_unit": "牵头单位",
    "name": "名称",
    "nodes": "指标数",
    "original_name": "文件名",
    "parent_id": "上级区划",
    "purpose": "用途",
    "reason": "原因",
    "recipients": "收件人",
    "region": "区划",
    "remove_units": "移除责任单位",
    "reviewers": "审核人员",
    "role": "分工",
    "roles": "角色",
    "round": "轮次",
    "row": "行号",
    "score": "得分",
    "sha256": "SHA-256",
    "size": "大小",
    "source": "来源文件",
    "survey_score": "满意度测评得分",
    "text": "原文",
    "title": "标题",
    "total_points": "总分",
    "unit": "单位",
    "units": "单位",
    "updated": "更新",
    "user": "用户",
    "username": "用户名",
    "users": "用户",
    "verdict": "审核结论",
    "version": "版本号",
    "vetoed": "否决",
}

# The same keys holding a count rather than the rows themselves (round.open's items).
COUNT_LABELS = {"campaigns": "创建活动数", "items": "任务项数"}

# Keys whose values are codes of a model field's choices ("app.Model.field").
KEY_CHOICES = {
    "purpose": "reviews.CampaignGrant.purpose",
    "role": "campaigns.Assignment.role",
    "roles": "accounts.Role.code",
    "verdict": "reviews.Review.verdict",
}

# Actions whose change is a table of counts keyed by a field's choices (a closed round's
# verdict counts).
ACTION_KEY_CHOICES = {"round.close": "reviews.Review.verdict"}

EMPTY = "（空）"
DATETIME_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


def action_choices(codes: Iterable[str]) -> list[tuple[str, str]]:
    """(code, name) pairs for the action filter, in the order of the names."""
    return sorted(((code, action_label(code)) for code in codes), key=lambda pair: pair[1])


def actions_named(text: str) -> list[str]:
    """The codes whose Chinese name contains `text`, so that a keyword search finds them."""
    return [code for code, label in ACTION_LABELS.items() if text and text in label]


@dataclass(frozen=True)
class Change:
    """One field of an audit row: its name, the value before (None: not recorded, as for a new
    row) and after (None: not recorded, as for a deleted one)."""

    label: str
    old: str | None
    new: str | None

    def __str__(self) -> str:
        if self.old is not None and self.new is not None:
            return f"{self.label}：{self.old} → {self.new}"
        if self.new is not None:
            return f"{self.label}：{self.new}"
        return f"{self.label}：原为 {self.old}"


def describe(entries: Iterable, *, user) -> list:
    """Give each entry `action_label` and `changes` (a list of `Change`). Ids of related rows
    are looked up once for all entries, per related model, and only among the rows `user` may
    see; the others show as their number."""
    entries = list(entries)
    plans = [(entry, _plan(entry)) for entry in entries]
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for _, plan in plans:
        for key_plan in plan:
            if key_plan.related is not None:
                wanted[key_plan.related].update(
                    v for v in key_plan.raw_values() if v not in (None, "")
                )
    names = {model: _names(model, ids, user) for model, ids in wanted.items()}
    for entry, plan in plans:
        entry.action_label = action_label(entry.action)
        entry.changes = [key_plan.change(names) for key_plan in plan]
    return entries


@dataclass
class _KeyPlan:
    label: str
    old: object
    new: object
    has_old: bool
    has_new: bool
    choices: dict | None = None
    related: type[models.Model] | None = None
    field: models.Field | None = None

    def raw_values(self) -> list:
        values = [v for v, has in ((self.old, self.has_old), (self.new, self.has_new)) if has]
        return [x for v in values for x in (v if isinstance(v, list) else [v])]

    def change(self, names: dict) -> Change:
        def show(value):
            return _format(value, self, names.get(self.related, {}))

        return Change(
            self.label,
            show(self.old) if self.has_old else None,
            show(self.new) if self.has_new else None,
        )


def _plan(entry) -> list[_KeyPlan]:
    before, after = _as_fields(entry.before), _as_fields(entry.after)
    model = _model(entry.target_type)
    key_choices = _choices_of(ACTION_KEY_CHOICES.get(entry.action))
    plans = []
    for key in list(before) + [k for k in after if k not in before]:
        plan = _KeyPlan(
            label=KEY_LABELS.get(key, key),
            old=before.get(key),
            new=after.get(key),
            has_old=key in before,
            has_new=key in after,
            choices=_choices_of(KEY_CHOICES.get(key)),
        )
        if key_choices and key in key_choices:
            plan.label = key_choices[key]
        if key in COUNT_LABELS and all(_is_count(v) for v in plan.raw_values()):
            plan.label = COUNT_LABELS[key]
        field = _field(model, key)
        if field is not None:
            _describe_field(plan, field, key)
        plans.append(plan)
    return plans


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _as_fields(value) -> dict:
    if value is None:
        return {}
    return value if isinstance(value, dict) else {"内容": value}


def _describe_field(plan: _KeyPlan, field: models.Field, key: str) -> None:
    if _has_own_name(field):
        plan.label = str(field.verbose_name)
    plan.field = field
    if field.choices:
        plan.choices = {str(code): str(label) for code, label in field.flatchoices}
    elif field.many_to_many and field.related_model._meta.pk.choices:
        plan.choices = {str(c): str(label) for c, label in field.related_model._meta.pk.flatchoices}
    if field.many_to_one and key == field.attname != field.name:
        # snapshot() stores the id; a service may store a name under the field's name instead.
        plan.related = field.related_model


def _format(value, plan: _KeyPlan, names: dict) -> str:
    if isinstance(value, list):
        return "、".join(_format(v, plan, names) for v in value) if value else EMPTY
    if isinstance(value, dict):
        return "，".join(
            f"{KEY_LABELS.get(k, k)}：{_format(v, plan, names)}" for k, v in value.items()
        )
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if plan.related is not None:
        return names.get(str(value), f"编号 {value}")
    if plan.choices and str(value) in plan.choices:
        return plan.choices[str(value)]
    if isinstance(value, str) and DATETIME_TEXT.match(value):
        return _format_datetime(value)
    return str(value)


def _format_datetime(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment:%Y-%m-%d %H:%M}"


def _names(model: type[models.Model], ids: set, user) -> dict[str, str]:
    """Names of the related rows `user` may see; a model outside the scoping mechanism is
    not looked up at all."""
    manager = model._default_manager
    if not hasattr(manager, "visible_to"):
        return {}
    rows = manager.visible_to(user).filter(pk__in=[i for i in ids if str(i).isdigit()])
    return {str(row.pk): str(row) for row in rows}


def _model(target_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(target_type) if target_type else None
    except (LookupError, ValueError):
        return None


def _field(model, key: str) -> models.Field | None:
    if model is None:
        return None
    for field in model._meta.get_fields():
        if field.auto_created or not (field.concrete or field.many_to_many):
            continue
        if key in (field.name, getattr(field, "attname", None)):
            return field
    return None


def _has_own_name(field: models.Field) -> bool:
    """A field declared without a verbose name gets its English attribute name."""
    return str(field.verbose_name) != field.name.replace("_", " ")


def _choices_of(path: str | None) -> dict | None:
    if not path:
        return None
    app_model, _, field_name = path.rpartition(".")
    try:
        field = apps.get_model(app_model)._meta.get_field(field_name)
    except (LookupError, FieldDoesNotExist):
        return None
    return {str(code): str(label) for code, label in field.flatchoices}
