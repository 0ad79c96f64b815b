"""Where a result row leads: its stratum text to one of the wave's strata (by the strata's
names, then the org tree's units through the campaigns' matcher) and its respondent-type word
to a type. Shared by the result tables and the phone survey's call log."""

from __future__ import annotations

from dataclasses import dataclass

from fazhi.campaigns.services import unit_matcher_for
from fazhi.orgs.matching import Confidence
from fazhi.surveys.models import RespondentType, Wave
from fazhi.surveys.scales import clean

TYPE_WORDS = {
    "群众": RespondentType.PUBLIC,
    "公众": RespondentType.PUBLIC,
    "居民": RespondentType.PUBLIC,
    "个人": RespondentType.PUBLIC,
    "群众样本": RespondentType.PUBLIC,
    "企业": RespondentType.BUSINESS,
    "企业样本": RespondentType.BUSINESS,
    "经营主体": RespondentType.BUSINESS,
    "市场主体": RespondentType.BUSINESS,
    "个体工商户": RespondentType.BUSINESS,
    "商户": RespondentType.BUSINESS,
}


@dataclass
class Place:
    """Where a row's stratum text leads: a stratum of the wave by name (made at confirmation
    when the org tree has the unit but the wave not yet the stratum)."""

    name: str
    unit_id: int | None
    new: bool


class Places:
    """Stratum texts to the wave's strata, through their names and, failing that, the org
    tree's units (the campaigns' matcher)."""

    def __init__(self, wave: Wave):
        self.wave = wave
        self.by_text: dict[str, Place] = {}
        self.split: set[str] = set()
        for stratum in wave.strata.select_related("unit"):
            place = Place(stratum.name, stratum.unit_id, False)
            for text in (stratum.name, *(unit_names(stratum.unit))):
                self.by_text.setdefault(clean(text), place)
            if stratum.respondent_type:
                self.split.add(stratum.name)
        self._matcher = None
        self.cache: dict[str, Place | str] = {}

    def resolve(self, text: str) -> Place | str:
        """The place, or the message saying why there is none."""
        if text in self.cache:
            return self.cache[text]
        key = clean(text)
        place = self.by_text.get(key)
        if place is None:
            if self._matcher is None:
                self._matcher = unit_matcher_for(self.wave.region)
            match = self._matcher.match(text)
            if match.confidence in (Confidence.EXACT, Confidence.LIKELY) and len(match.units) == 1:
                unit = match.units[0]
                place = self.by_text.get(clean(unit.display_name)) or Place(
                    unit.display_name, unit.pk, True
                )
            else:
                place = f"“{text}”在{self.wave.region.name}的组织机构中找不到对应的镇街或单位"
        self.cache[text] = place
        return place


def unit_names(unit) -> tuple[str, ...]:
    return (unit.name, unit.short_name) if unit is not None else ()


def type_of(text: str) -> str | None:
    if not text:
        return ""
    return TYPE_WORDS.get(clean(text))
