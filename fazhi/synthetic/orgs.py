"""The synthetic province's regions, units and accounts, inserted in bulk.

Usernames (every password is Fazhi@2026):
- b990000_admin: 系统管理员 (admin), at the province; b990000_lead: the province's 依法治省办;
  b990000_e1…e3: 评审专家 (expert) taken on by the province's evaluation.
- b{region}_lead: 依法治办管理员 (lead_admin) of each city and county, in its 司法局.
- b{region}_r1…r3: 审核员 (reviewer) of each city and county, in its 依法治办.
- b{region}_u{nn}: 联络员 (liaison) of unit nn (its sort order, 01 = 依法治办, 07 = 司法局).
- b{city}_leader, b{city}_inspector: 领导 and 督察员 of each city."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from fazhi.accounts.models import Role, User
from fazhi.orgs.models import Region, RegionLevel, Unit, UnitKind
from fazhi.synthetic.places import (
    DEPARTMENTS,
    PROVINCE_CODE,
    PROVINCE_NAME,
    city_name,
    county_name,
    person_name,
    town_names,
)

PASSWORD = "Fazhi@2026"
REVIEWERS_PER_REGION = 3
EXPERTS = 3


@dataclass
class Place:
    """A city or county that runs a campaign, with its units and people."""

    region: Region
    full_name: str  # 东岳市青山区
    prefix: str  # 区, 县 or 市: how its units' short names begin
    abbr: str  # 青: how its document numbers begin
    units: list[Unit] = field(default_factory=list)
    doc_words: dict[int, str] = field(default_factory=dict)  # unit id → 司, 政办…
    by_short: dict[str, Unit] = field(default_factory=dict)  # 司法局 → unit
    liaisons: dict[int, User] = field(default_factory=dict)  # unit id → liaison
    lead: User | None = None
    reviewers: list[User] = field(default_factory=list)

    @property
    def office(self) -> Unit:
        return self.units[0]


@dataclass
class Province:
    region: Region
    places: list[Place]  # cities first in each city's block: city, its counties
    admin: User
    lead: User
    experts: list[User]
    users: int


def build_province(
    rng: random.Random, counties_per_city: list[int], password_hash: str
) -> Province:
    province = Region.objects.create(
        code=PROVINCE_CODE,
        name=PROVINCE_NAME,
        level=RegionLevel.PROVINCE,
        path=f"{PROVINCE_CODE}/",
        depth=0,
    )
    places: list[Place] = []
    for city_index, counties in enumerate(counties_per_city):
        city_code = f"99{city_index + 1:02d}00"
        name = city_name(city_index)
        city = Region(
            code=city_code,
            name=name,
            level=RegionLevel.CITY,
            parent=province,
            path=f"{province.path}{city_code}/",
            depth=1,
        )
        places.append(Place(city, name, "市", name[0]))
        for index in range(counties):
            code = f"{city_code[:4]}{index + 1:02d}"
            county = county_name(city_index, index)
            region = Region(
                code=code,
                name=county,
                level=RegionLevel.COUNTY,
                path=f"{city.path}{code}/",
                depth=2,
            )
            region.parent_code = city_code
            places.append(Place(region, f"{name}{county}", county[-1], county[0]))
    cities = Region.objects.bulk_create([p.region for p in places if p.region.depth == 1])
    city_by_code = {c.code: c for c in cities}
    for place in places:
        if place.region.depth == 2:
            place.region.parent = city_by_code[place.region.parent_code]
    Region.objects.bulk_create([p.region for p in places if p.region.depth == 2])
    _build_units(rng, places)
    admin, lead, experts, users = _build_users(rng, province, places, password_hash)
    return Province(province, places, admin, lead, experts, users)


def _build_units(rng: random.Random, places: list[Place]) -> None:
    units = []
    for place in places:
        code = place.region.code
        for short, full, key, kind, word in DEPARTMENTS:
            p = place.prefix
            unit = Unit(
                region=place.region,
                code=f"{code}-{key}",
                name=(
                    f"中共{place.full_name}{full.format(p=p)}"
                    if short.startswith("委")
                    else f"{place.full_name}{full.format(p=p)}"
                ),
                short_name=f"{p}{short.format(p=p)}",
                kind=kind,
                sort_order=len(place.units) + 1,
            )
            unit.doc_word = word
            place.units.append(unit)
        for town in town_names(rng, rng.randint(6, 18)):
            place.units.append(
                Unit(
                    region=place.region,
                    code=f"{code}-t{len(place.units) + 1:02d}",
                    name=f"{place.full_name}{town}",
                    short_name=town,
                    kind=UnitKind.TOWN,
                    sort_order=len(place.units) + 1,
                )
            )
        units.extend(place.units)
    Unit.objects.bulk_create(units, batch_size=2000)
    for place in places:
        for unit in place.units:
            place.doc_words[unit.pk] = getattr(unit, "doc_word", unit.short_name[:2])
            short = unit.short_name[1:] if unit.kind != UnitKind.TOWN else unit.short_name
            place.by_short[short] = unit


def _user(username, name, region, unit, password_hash, **extra) -> User:
    return User(
        username=username,
        display_name=name,
        region=region,
        unit=unit,
        password=password_hash,
        **extra,
    )


def _build_users(rng, province: Region, places: list[Place], password_hash: str):
    users: list[tuple[User, str]] = []
    code = province.code
    admin = _user(f"b{code}_admin", "系统管理员", province, None, password_hash, is_superuser=True)
    lead = _user(f"b{code}_lead", person_name(rng), province, None, password_hash)
    experts = [
        _user(f"b{code}_e{n}", person_name(rng), province, None, password_hash)
        for n in range(1, EXPERTS + 1)
    ]
    users += [(admin, "admin"), (lead, "lead_admin"), *((e, "expert") for e in experts)]
    for place in places:
        region, code = place.region, place.region.code
        justice = place.by_short["司法局"]
        place.lead = _user(f"b{code}_lead", person_name(rng), region, justice, password_hash)
        users.append((place.lead, "lead_admin"))
        for n in range(1, REVIEWERS_PER_REGION + 1):
            reviewer = _user(f"b{code}_r{n}", person_name(rng), region, place.office, password_hash)
            place.reviewers.append(reviewer)
            users.append((reviewer, "reviewer"))
        for unit in place.units:
            liaison = _user(
                f"b{code}_u{unit.sort_order:02d}", person_name(rng), region, unit, password_hash
            )
            place.liaisons[unit.pk] = liaison
            users.append((liaison, "liaison"))
        if region.level == RegionLevel.CITY:
            office = place.office
            users.append(
                (
                    _user(f"b{code}_leader", person_name(rng), region, office, password_hash),
                    "leader",
                )
            )
            users.append(
                (
                    _user(f"b{code}_inspector", person_name(rng), region, office, password_hash),
                    "inspector",
                )
            )
    User.objects.bulk_create([user for user, _ in users], batch_size=2000)
    roles = {role.code: role for role in Role.objects.all()}
    Through = User.roles.through
    Through.objects.bulk_create(
        [Through(user_id=user.pk, role_id=roles[role].pk) for user, role in users],
        batch_size=5000,
    )
    return admin, lead, experts, len(users)
