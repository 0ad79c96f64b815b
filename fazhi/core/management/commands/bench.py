"""`fazhi bench seed --scale county|city|province [--files] [--seed N] [--replace]`: a synthetic
province for benchmarks (fazhi/synthetic)."""

from django.core.management.base import BaseCommand, CommandError

from fazhi.synthetic.orgs import PASSWORD
from fazhi.synthetic.places import PROVINCE_CODE, PROVINCE_NAME
from fazhi.synthetic.seed import SCALES, AlreadySeeded, seed

COUNT_LABELS = [
    ("regions", "区划"),
    ("units", "单位"),
    ("users", "账号"),
    ("campaigns", "创建活动"),
    ("items", "任务项"),
    ("assignments", "任务分工"),
    ("evidence", "材料"),
    ("evidenceversion", "材料版本"),
    ("blob", "文件"),
    ("searchdocument", "检索记录"),
    ("round", "审核轮次"),
    ("review", "审核记录"),
    ("comment", "审核意见"),
    ("assessment", "评分"),
    ("deduction", "扣分"),
    ("applicants", "省级评估申报对象"),
    ("grants", "专家授权"),
]


class Command(BaseCommand):
    help = "基准测试工具。seed：批量生成一个合成的示范省（县、市或全省规模）。"

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True, title="子命令")
        seeding = commands.add_parser(
            "seed",
            help="批量生成合成数据（区划代码 990000 “示范省”）",
            description=(
                "county：1 个县的创建活动；city：1 个市及其 9 个县；province：16 个市、136 个县，"
                "152 个创建活动，约 45.6 万份材料。所有账号密码均为 " + PASSWORD + "。"
            ),
        )
        seeding.add_argument("--scale", choices=list(SCALES), required=True, help="规模")
        seeding.add_argument(
            "--files", action="store_true", help="同时写入小文件到存储（默认只写数据库）"
        )
        seeding.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")
        seeding.add_argument(
            "--replace", action="store_true", help="先删除已有的合成数据（区划 990000）再生成"
        )

    def handle(self, *args, **options):
        try:
            summary = seed(
                options["scale"],
                files=options["files"],
                seed=options["seed"],
                replace=options["replace"],
                progress=self.stdout.write,
            )
        except AlreadySeeded as exc:
            raise CommandError(
                f"数据库中已有合成数据（区划代码 {PROVINCE_CODE} “{PROVINCE_NAME}”）。"
                "如需重新生成，请加 --replace（将先删除原有合成数据）。"
                f" / A synthetic province ({exc}) already exists; use --replace."
            ) from exc
        counts = summary.counts
        figures = "，".join(
            f"{label} {counts[key]:,}" for key, label in COUNT_LABELS if counts.get(key)
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"合成数据已生成（规模 {summary.scale}，种子 {summary.seed}），"
                f"用时 {summary.seconds:.1f} 秒：{figures}。"
            )
        )
        self.stdout.write(
            f"账号（密码均为 {PASSWORD}）：b{PROVINCE_CODE}_admin 系统管理员；b{{区划}}_lead "
            "依法治办管理员；b{区划}_r1…r3 审核员；b{区划}_u{序号} 各单位联络员；"
            f"b{{市}}_leader、b{{市}}_inspector；b{PROVINCE_CODE}_e1…e3 评审专家。"
        )
