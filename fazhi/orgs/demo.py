"""Demo regions, units and accounts (枣庄市 and its districts). Safe to load twice: rows are
matched by their codes and usernames and updated in place."""

from pathlib import Path

import yaml
from django.contrib.auth.hashers import make_password
from django.db import transaction

from fazhi.accounts.models import Role, User
from fazhi.orgs.models import Region, Unit

DEMO_FILE = Path(__file__).parent / "data" / "demo_orgs.yaml"


def demo_document() -> dict:
    return yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))


@transaction.atomic
def load_demo_orgs() -> dict:
    data = demo_document()
    regions = _load_regions(data["regions"])
    units = _load_units(data["units"], regions)
    users = _load_users(data["users"], regions, units, data["demo_password"])
    return {
        "regions": len(regions),
        "units": len(units),
        "users": users,
        "password": data["demo_password"],
    }


def _load_regions(rows: list[dict]) -> dict[str, Region]:
    regions: dict[str, Region] = {}
    for row in rows:
        parent = regions.get(row["parent"]) if row.get("parent") else None
        path = f"{parent.path if parent else ''}{row['code']}/"
        region, _ = Region.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "level": row["level"],
                "parent": parent,
                "path": path,
                "depth": parent.depth + 1 if parent else 0,
            },
        )
        regions[region.code] = region
    return regions


def _load_units(rows: list[dict], regions: dict[str, Region]) -> dict[str, Unit]:
    units = {}
    for row in rows:
        unit, _ = Unit.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "short_name": row.get("short_name", ""),
                "kind": row["kind"],
                "region": regions[row["region"]],
                "sort_order": row.get("sort", 0),
            },
        )
        units[unit.code] = unit
    return units


def _load_users(rows: list[dict], regions, units, password: str) -> list[dict]:
    # Hashed once for all new accounts: a hash takes about half a second by design, and these
    # accounts share a password printed on the screen anyway.
    hashed = None
    accounts = []
    for row in rows:
        user, created = User.objects.get_or_create(username=row["username"])
        user.display_name = row["display_name"]
        user.region = regions.get(row.get("region"))
        user.unit = units.get(row.get("unit")) if row.get("unit") else None
        user.is_superuser = "admin" in row["roles"]
        if created:
            hashed = hashed or make_password(password)
            user.password = hashed
        user.save()
        user.roles.set(Role.objects.filter(code__in=row["roles"]))
        accounts.append(
            {
                "username": user.username,
                "display_name": user.display_name,
                "roles": user.role_labels(),
                "place": str(user.unit or user.region or ""),
            }
        )
    return accounts
