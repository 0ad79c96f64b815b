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


# The words an attacker tries first against this site: its name (法治 → fazhi, 法治政府 → fzzf),
# the people it serves (司法局, 政府), default account names, and keyboard filler. Django's list of
# common passwords is English and knows none of them, so `Fazhi2026` passed every other check.
SITE_WORDS = (
    "fazhi",
    "fz",
    "fzzf",
    "zhengfu",
    "sifa",
    "sifaju",
    "yifa",
    "zhili",
    "shifan",
    "chuangjian",
    "admin",
    "administrator",
    "root",
    "user",
    "test",
    "guest",
    "password",
    "passwd",
    "pass",
    "qwerty",
    "abc",
    "china",
    "zhongguo",
)


def _letters_only(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalpha())


def _split_into(text: str, words: set[str]) -> bool:
    """Whether `text` is nothing but `words` written one after another (FazhiAdmin, szqadmin)."""
    can_end_at = [True] + [False] * len(text)
    for end in range(1, len(text) + 1):
        can_end_at[end] = any(
            can_end_at[end - len(word)] and text.endswith(word, 0, end)
            for word in words
            if len(word) <= end
        )
    return can_end_at[-1]


class SiteWordsValidator:
    """Refuses a password that is only the site's own words, the username or its parts, with
    digits, years and punctuation around them: `Fazhi2026`, `Fazhi@2026`, `Admin123!`,
    `szq_admin2026`."""

    def validate(self, password, user=None):
        letters = _letters_only(password)
        if not letters or len(letters) > 128:
            # Digits and symbols only: the other validators judge those. Past 128 letters it
            # is no guessable word with a year, and the check is not worth its time.
            return
        words = set(SITE_WORDS)
        username = getattr(user, "username", "") or ""
        words.add(_letters_only(username))
        words.update(_letters_only(part) for part in _word_parts(username))
        words.discard("")
        if _split_into(letters, words):
            raise ValidationError(
                "密码不能只由平台名称（如 fazhi）、常见账号名（如 admin）或用户名加上数字、年份、"
                "符号组成，这类密码最先被猜到。请加入与本平台无关的词。",
                code="password_site_words",
            )

    def get_help_text(self):
        return "不能只由平台名称、admin 等常见账号名或用户名加数字、年份、符号组成。"


def _word_parts(username: str) -> list[str]:
    part, parts = "", []
    for ch in username:
        if ch.isalpha():
            part += ch
        else:
            parts.append(part)
            part = ""
    return [*parts, part]
