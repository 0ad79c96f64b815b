"""Primary keys handed out in advance, so that rows pointing at each other (a material and its
current version, an item and its parent) are inserted in one pass, without reading ids back or
updating rows afterwards. Only safe while nothing else inserts into these tables: the seed is a
benchmark tool run on a quiet database."""

from __future__ import annotations

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max


class Ids:
    def __init__(self, *models):
        self._next = {
            model: (model._base_manager.aggregate(n=Max("pk"))["n"] or 0) + 1 for model in models
        }

    def take(self, model) -> int:
        pk = self._next[model]
        self._next[model] = pk + 1
        return pk

    def reset_sequences(self) -> None:
        """PostgreSQL's sequences do not move on explicit ids; SQLite's AUTOINCREMENT does."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(self._next))
        if statements:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
