"""What a request cost the server, in a `Server-Timing` header (the browser's developer tools
show it; `bench/rush.py` adds it up per endpoint): the worker thread's CPU time, and the time
spent waiting on the database. Off unless FAZHI_SERVER_TIMING is set: the figures tell an
attacker how expensive a page is."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections


class ServerTimingMiddleware:
    def __init__(self, get_response):
        if not settings.FAZHI_SERVER_TIMING:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        spent = {"db": 0.0, "queries": 0}

        def count(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent["db"] += time.perf_counter() - started
                spent["queries"] += 1

        cpu = time.thread_time()
        with connections["default"].execute_wrapper(count):
            response = self.get_response(request)
        cpu = time.thread_time() - cpu
        response["Server-Timing"] = (
            f"cpu;dur={cpu * 1000:.2f}, db;dur={spent['db'] * 1000:.2f};"
            f'desc="{spent["queries"]} queries"'
        )
        return response
