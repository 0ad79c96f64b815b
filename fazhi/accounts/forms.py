from django import forms
from django.contrib.auth import password_validation

from fazhi.accounts.models import RoleCode
from fazhi.accounts.services import grantable_roles
from fazhi.orgs.models import Unit
from fazhi.orgs.selectors import regions_overseen


class LoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", widget=forms.PasswordInput)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="当前密码", widget=forms.PasswordInput)
    new_password = forms.CharField(
        label="新密码",
        widget=forms.PasswordInput,
        help_text=password_validation.password_validators_help_text_html(),
    )
    new_password_again = forms.CharField(label="再次输入新密码", widget=forms.PasswordInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_old_password(self):
        if not self.user.check_password(self.cleaned_data["old_password"]):
            raise forms.ValidationError("当前密码不正确。")
        return self.cleaned_data["old_password"]

    def clean(self):
        data = super().clean()
        new, again = data.get("new_password"), data.get("new_password_again")
        if new and again and new != again:
            self.add_error("new_password_again", "两次输入的新密码不一致。")
        if new and new == data.get("old_password"):
            self.add_error("new_password", "新密码不能与当前密码相同。")
        if new:
            try:
                password_validation.validate_password(new, self.user)
            except forms.ValidationError as exc:
                self.add_error("new_password", exc)
        return data


class UserForm(forms.Form):
    username = forms.RegexField(
        label="用户名",
        max_length=150,
        regex=r"^[A-Za-z0-9_.@-]+$",
        error_messages={"invalid": "用户名只能包含英文字母、数字和 _ . @ -"},
    )
    display_name = forms.CharField(label="姓名", max_length=50)
    region = forms.ModelChoiceField(label="所属区划", queryset=Unit.objects.none(), required=False)
    unit = forms.ModelChoiceField(label="所属单位", queryset=Unit.objects.none(), required=False)
    roles = forms.MultipleChoiceField(
        label="角色", choices=RoleCode.choices, widget=forms.CheckboxSelectMultiple
    )
    email = forms.EmailField(label="邮箱", required=False)
    phone = forms.CharField(label="电话", max_length=30, required=False)
    password = forms.CharField(
        label="初始密码",
        widget=forms.PasswordInput,
        required=False,
        help_text="用户首次登录时必须修改。"
        + password_validation.password_validators_help_text_html(),
    )

    def __init__(self, *args, acting_user, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_overseen(user=acting_user)
        self.fields["unit"].queryset = Unit.objects.editable_by(acting_user).select_related(
            "region"
        )
        # Only the roles the actor may hand out: those below their own (accounts services).
        grantable = grantable_roles(acting_user)
        self.fields["roles"].choices = [c for c in RoleCode.choices if c[0] in grantable]
        if editing:
            self.fields["username"].disabled = True
            del self.fields["password"]
            self.fields["is_active"] = forms.BooleanField(
                label="启用", required=False, help_text="停用后该账号不能登录，历史记录保留。"
            )
        else:
            self.fields["password"].required = True

    def clean(self):
        data = super().clean()
        if not data.get("region") and not data.get("unit"):
            raise forms.ValidationError("请选择所属区划或所属单位。")
        if "liaison" in (data.get("roles") or []) and not data.get("unit"):
            self.add_error("unit", "联络员必须属于一个单位。")
        return data


class PasswordResetForm(forms.Form):
    password = forms.CharField(
        label="新的初始密码", widget=forms.PasswordInput, help_text="用户下次登录时必须修改。"
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="用途", max_length=100, help_text="例如：数据同步脚本")
