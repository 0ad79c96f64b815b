"""The shape of Fazhi's management commands: subcommands, `--as USER` to act with that user's
scope (the system's otherwise), and refusals printed as one clear error line."""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from fazhi.accounts.system import actor_by_username
from fazhi.core.actions import error_text


class ScopedCommand(BaseCommand):
    """Subclasses add their subparsers in `add_subcommands(sub)` and handle each subcommand
    NAME in a method `_NAME` (dashes become underscores) taking the actor and the options."""

    def add_arguments(self, parser):
        parser.add_argument(
            "--as", dest="as_user", help="以该用户身份执行（按其权限范围），默认系统"
        )
        self.add_subcommands(parser.add_subparsers(dest="action", required=True))

    def add_subcommands(self, sub) -> None:
        raise NotImplementedError

    def handle(self, *args, action, as_user=None, **options):
        try:
            actor = actor_by_username(as_user)
        except ObjectDoesNotExist as exc:
            raise CommandError(f"用户 {as_user} 不存在。") from exc
        try:
            return getattr(self, "_" + action.replace("-", "_"))(actor, **options)
        except (ObjectDoesNotExist, Http404) as exc:
            raise CommandError(str(exc)) from exc
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(error_text(exc)) from exc
