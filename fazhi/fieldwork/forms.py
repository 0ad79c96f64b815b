from django import forms
from django.core.exceptions import ValidationError

from fazhi.campaigns.models import CampaignLevel
from fazhi.core.scoping import Scope
from fazhi.fieldwork.models import Evaluation
from fazhi.fieldwork.services import ORGANISER_LEVELS
from fazhi.orgs.models import Region

WEIGHT_HELP = "百分比，三项之和应为 100。"


class EvaluationForm(forms.Form):
    name = forms.CharField(
        label="评估名称",
        max_length=200,
        help_text="例如：2025年度全省法治政府建设示范创建评估",
    )
    written_weight = forms.IntegerField(
        label="书面评审权重（%）", min_value=0, max_value=100, initial=50, help_text=WEIGHT_HELP
    )
    field_weight = forms.IntegerField(
        label="实地评估权重（%）", min_value=0, max_value=100, initial=30
    )
    survey_weight = forms.IntegerField(
        label="满意度测评权重（%）", min_value=0, max_value=100, initial=20
    )
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea)


class EvaluationCreateForm(EvaluationForm):
    region = forms.ModelChoiceField(
        label="组织评估的地区",
        queryset=Region.objects.none(),
        help_text="申报对象须是该地区以下的创建活动。",
    )
    field_order = ["region", "name"]

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = Scope.for_user(acting_user)
        regions = Region.objects.filter(level__in=ORGANISER_LEVELS)
        if not scope.is_everything:
            regions = regions.filter(path__startswith=scope.region_path or "-")
        self.fields["region"].queryset = regions.order_by("path")
        if acting_user.region_id and regions.filter(pk=acting_user.region_id).exists():
            self.fields["region"].initial = acting_user.region_id


class ApplicantsForm(forms.Form):
    """Tick campaigns one by one, or take every campaign of a level at once."""

    campaigns = forms.MultipleChoiceField(
        label="申报的创建活动", required=False, widget=forms.CheckboxSelectMultiple
    )
    all_of_level = forms.ChoiceField(
        label="或：加入某一级别的全部创建活动",
        choices=[("", "—")] + list(CampaignLevel.choices),
        required=False,
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        self.fields["campaigns"].choices = [
            (str(c.pk), f"{c.region} · {c.name}") for c in self.candidates
        ]

    def chosen(self, *, by_level: bool) -> list:
        """The ticked campaigns, or with `by_level` every candidate of the chosen level."""
        if by_level:
            level = self.cleaned_data.get("all_of_level")
            if not level:
                raise ValidationError({"all_of_level": "请选择要全部加入的创建级别。"})
            return [c for c in self.candidates if c.level == level]
        picked = set(self.cleaned_data.get("campaigns") or [])
        return [c for c in self.candidates if str(c.pk) in picked]


class EvaluatorForm(forms.Form):
    user = forms.ChoiceField(label="评审专家（第三方评估账号）")

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.by_pk = {str(user.pk): user for user in candidates}
        self.fields["user"].choices = [("", "请选择")] + [
            (
                str(user.pk),
                f"{user}（{user.username}）{' · ' + str(user.region) if user.region else ''}",
            )
            for user in candidates
        ]

    def chosen_user(self):
        return self.by_pk[self.cleaned_data["user"]]


class ScoresImportForm(forms.Form):
    file = forms.FileField(
        label="得分表（Excel）",
        help_text=(
            "需要“地区”（或“申报单位”“申报活动”）一列，以及“实地评估得分”“满意度测评得分”；"
            "表头可在标题行之下，列的顺序不限。空白单元格不改动已有得分。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv,.et"}),
    )


def weights_initial(evaluation: Evaluation) -> dict:
    return {
        "name": evaluation.name,
        "description": evaluation.description,
        "written_weight": evaluation.written_weight,
        "field_weight": evaluation.field_weight,
        "survey_weight": evaluation.survey_weight,
    }


class FieldFeedForm(forms.Form):
    """Which evaluation's applicant gets a score another app computed, and which part of its
    field score it goes into when that evaluation has parts."""

    applicant = forms.ModelChoiceField(label="计入的评估", queryset=None, empty_label=None)
    part = forms.ModelChoiceField(
        label="计入实地评估的哪一部分",
        queryset=None,
        required=False,
        empty_label="（评估未分项：计为实地评估得分）",
        help_text="评估设置了实地评估组成部分时必选，且须是所选评估的部分。",
    )

    def __init__(self, *args, applicants, **kwargs):
        from fazhi.fieldwork.models import FieldPart

        super().__init__(*args, **kwargs)
        self.fields["applicant"].queryset = applicants
        self.fields["applicant"].label_from_instance = _feed_label
        parts = FieldPart.objects.filter(evaluation__applicants__in=applicants).distinct()
        self.fields["part"].queryset = parts.select_related("evaluation")
        if not applicants.filter(evaluation__field_parts__isnull=True).exists():
            self.fields["part"].empty_label = "——请选择——"  # every evaluation has parts
        self.fields["part"].label_from_instance = lambda p: f"{p.evaluation} · {p}"

    def clean(self):
        data = super().clean()
        applicant, part = data.get("applicant"), data.get("part")
        if applicant and part and part.evaluation_id != applicant.evaluation_id:
            raise ValidationError(
                {"part": f"“{part.name}”不是“{applicant.evaluation}”的组成部分。"}
            )
        return data


def _feed_label(applicant) -> str:
    score = applicant.field_score
    now = f"现为 {score}" if score is not None else "尚未录入"
    return f"{applicant.evaluation} · {applicant.campaign}（实地评估得分{now}）"


class FieldPartsForm(forms.Form):
    """The parts of the field evaluation, a row each: name and weight."""

    ROWS = 8

    def __init__(self, *args, parts=(), **kwargs):
        super().__init__(*args, **kwargs)
        parts = list(parts)
        for index in range(self.ROWS):
            current = parts[index] if index < len(parts) else None
            self.fields[f"name_{index}"] = forms.CharField(
                label=f"第 {index + 1} 部分",
                max_length=50,
                required=False,
                initial=current.name if current else "",
            )
            self.fields[f"weight_{index}"] = forms.CharField(
                label="权重（%）",
                max_length=3,
                required=False,
                initial=current.weight if current else "",
            )

    def rows(self):
        return [(self[f"name_{i}"], self[f"weight_{i}"]) for i in range(self.ROWS)]

    def parts(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        return [(data[f"name_{i}"], data[f"weight_{i}"]) for i in range(self.ROWS)]
