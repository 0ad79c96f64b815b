"""Comparing header texts by meaning: spaces, line breaks and punctuation do not count."""

import re

_NOISE = re.compile(r"[\s\u3000（）()【】\[\]《》<>：:、，,。.；;！!？?“”\"'‘’*＊/／\\\-—_~·]+")


def normalise_header(value) -> str:
    if not isinstance(value, str):
        return ""
    return _NOISE.sub("", value)
