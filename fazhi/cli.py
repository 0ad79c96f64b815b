"""`fazhi`: the command line, a thin wrapper over Django's management commands.

    fazhi demo-data            fazhi framework import PATH --name N [--edition E]
    fazhi serve                fazhi framework export REF --format yaml|xlsx|json [-o PATH]
    fazhi worker               fazhi framework diff A B
Any other Django command works too (fazhi migrate, fazhi createsuperuser …).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fazhi.settings")
    from django.core.management import execute_from_command_line

    if argv and not argv[0].startswith("-"):
        argv[0] = argv[0].replace("-", "_")
    execute_from_command_line(["fazhi", *argv])


if __name__ == "__main__":
    main()
