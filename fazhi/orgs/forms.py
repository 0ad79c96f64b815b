from django import forms

from fazhi.orgs.models import UnitKind
from fazhi.orgs.selectors import regions_overseen


class UnitForm(forms.Form):
    region = forms.ModelChoiceField(label="所属区划", queryset=None)
    name = forms.CharField(label="单位全称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=60, required=False)
    kind = forms.ChoiceField(label="类型", choices=UnitKind.choices)
    sort_order = forms.IntegerField(label="排序", min_value=0, initial=0, required=False)

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_overseen(user=acting_user)

    def clean_sort_order(self):
        return self.cleaned_data.get("sort_order") or 0


class UnitImportForm(forms.Form):
    file = forms.FileField(
        label="单位名单（Excel）",
        help_text="表头需包含“单位名称”和“区划代码”（或“所属区划”），可选“简称”“类型”“排序”。",
    )
