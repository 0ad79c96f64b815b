"""Background work of the frameworks app, run by `fazhi worker`."""

from django_tasks import task

from fazhi.frameworks.services import framework_import_parse


@task()
def parse_framework_import(draft_id: int) -> str:
    return framework_import_parse(draft_id=draft_id)
