"""fazhi restore PATH --data-dir DIR: see fazhi.core.backup."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fazhi.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "从 fazhi backup 的归档恢复到一个空的数据目录：先按清单核对整个归档，损坏的归档一律拒绝；"
        "目标文件夹非空时拒绝，以免覆盖现有数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH")
        parser.add_argument("--data-dir", required=True, metavar="DIR")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, path, data_dir, as_json=False, **options):
        try:
            manifest = backup_restore(Path(path), Path(data_dir))
        except BackupError as exc:
            raise CommandError(f"未恢复：{exc}") from exc
        files = sum(1 for m in manifest["members"] if m["name"].startswith("files/"))
        if as_json:
            self.stdout.write(
                json.dumps(
                    {"data_dir": str(Path(data_dir).resolve()), "files": files},
                    ensure_ascii=False,
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"已恢复到 {Path(data_dir).resolve()}：数据库和 {files} 个文件"
                f"（备份于 {manifest['created_at']}）。"
            )
        )
        self.stdout.write(
            f"  以 FAZHI_DATA_DIR={Path(data_dir).resolve()} 运行 fazhi migrate 后即可启动。"
        )
