"""The collector and a long-lived process's start-up objects.

A web or task worker imports some 140,000 objects (modules, classes, the URL and template
machinery) that live as long as it does. Python's cyclic collector walks all of them on every
full collection: about 70 ms in the middle of one request every hundred or so pages, the slowest
page of a benchmark run. Frozen, they are left out of every collection (they are never garbage),
and the pages that follow cost about half a millisecond less each (README, "What a request
costs")."""

import gc


def freeze_startup_objects() -> None:
    """Collect what start-up left as garbage, then exempt everything still alive from future
    collections. Call once, when the process has finished starting."""
    gc.collect()
    gc.freeze()
