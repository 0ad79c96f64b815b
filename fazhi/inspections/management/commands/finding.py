"""fazhi finding request-close|verify — the two steps of 销号 from the command line, under the
same rule as the page and the API: the responsible unit asks, the inspecting side decides, and
a unit never closes its own finding."""

from fazhi.core.commands import ScopedCommand
from fazhi.inspections import selectors, services


class Command(ScopedCommand):
    help = "督察问题：责任单位申请销号，督察方审核（销号或退回）。"

    def add_subcommands(self, sub):
        request = sub.add_parser("request-close", help="责任单位申请销号")
        request.add_argument("finding", help="问题编号（id）")
        request.add_argument("--note", required=True, help="整改完成情况")
        verify = sub.add_parser("verify", help="督察方审核销号申请")
        verify.add_argument("finding", help="问题编号（id）")
        verdict = verify.add_mutually_exclusive_group(required=True)
        verdict.add_argument("--accept", action="store_true", help="同意销号")
        verdict.add_argument("--reject", action="store_true", help="退回整改")
        verify.add_argument("--note", default="", help="审核意见（退回时必填）")

    def _request_close(self, actor, *, finding, note, **_):
        found = selectors.finding_by_ref(user=actor, ref=finding)
        services.finding_request_close(acting_user=actor, finding=found, note=note)
        self.stdout.write(f"问题 {found.number} 已申请销号，等待督察方审核。")

    def _verify(self, actor, *, finding, accept, reject, note, **_):
        found = selectors.finding_by_ref(user=actor, ref=finding)
        services.finding_verify(acting_user=actor, finding=found, accept=accept, note=note)
        self.stdout.write(f"问题 {found.number} 已{'销号' if accept else '退回整改'}。")
