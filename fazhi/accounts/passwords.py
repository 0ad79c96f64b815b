"""Password complexity as government security reviews (等保) usually ask for it."""

import string

from django.core.exceptions import ValidationError

CHARACTER_CLASSES = {
    "大写字母": set(string.ascii_uppercase),
    "小写字母": set(string.ascii_lowercase),
    "数字": set(string.digits),
    "符号": set(string.punctuation),
}


class CharacterClassValidator:
    """At least three of: upper case, lower case, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        present = [
            name for name, chars in CHARACTER_CLASSES.items() if chars.intersection(password)
        ]
        if len(present) < self.min_classes:
            raise ValidationError(
                "密码须至少包含大写字母、小写字母、数字、符号中的 %(n)d 类（当前只有 %(have)s）。",
                code="password_too_simple",
                params={"n": self.min_classes, "have": "、".join(present) or "无"},
            )

    def get_help_text(self):
        return f"至少包含大写字母、小写字母、数字、符号中的 {self.min_classes} 类。"
