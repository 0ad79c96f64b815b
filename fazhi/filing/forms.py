from django import forms

from fazhi.filing.models import Split
from fazhi.filing.services import MAX_PAGE_BUDGET, MIN_PAGE_BUDGET


class BuildForm(forms.Form):
    split = forms.ChoiceField(
        label="分册方式", choices=Split.choices, initial=Split.PAGES, widget=forms.RadioSelect
    )
    page_budget = forms.IntegerField(
        label="每册页数上限",
        min_value=MIN_PAGE_BUDGET,
        max_value=MAX_PAGE_BUDGET,
        initial=400,
        help_text="按页数分册时使用；一个指标的材料尽量不拆到两册。",
    )
    approved_only = forms.BooleanField(
        label="只收录审核已通过的任务项", required=False, initial=False
    )
