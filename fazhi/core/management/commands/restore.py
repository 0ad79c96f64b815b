"""fazhi restore PATH [--data-dir DIR]: see fazhi.core.backup and fazhi.core.backup_postgres."""

import json
from pathlib import Path

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from fazhi.core import backup_postgres
from fazhi.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "从 fazhi backup 的归档恢复：嵌入式部署恢复到 --data-dir 指定的空数据目录，"
        "PostgreSQL 部署恢复到 DATABASE_URL 指向的空数据库和空的对象存储。先按清单核对整个归档，"
        "损坏的归档一律拒绝；目标非空时拒绝，以免覆盖现有数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH")
        parser.add_argument("--data-dir", metavar="DIR")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, path, data_dir, as_json=False, **options):
        try:
            if data_dir:
                manifest = backup_restore(Path(path), Path(data_dir))
            elif connection.vendor == "postgresql":
                manifest = backup_postgres.restore(
                    Path(path), database=connection.settings_dict, storage=default_storage
                )
            else:
                raise BackupError("请用 --data-dir 指定一个空的数据目录。")
        except BackupError as exc:
            raise CommandError(f"未恢复：{exc}") from exc
        target = Path(data_dir).resolve() if data_dir else connection.settings_dict["NAME"]
        files = sum(1 for m in manifest["members"] if m["name"].startswith("files/"))
        if as_json:
            self.stdout.write(
                json.dumps(
                    {"target": str(target), "files": files},
                    ensure_ascii=False,
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"已恢复到 {target}：数据库和 {files} 个文件（备份于 {manifest['created_at']}）。"
            )
        )
        if data_dir:
            self.stdout.write(f"  以 FAZHI_DATA_DIR={target} 运行 fazhi migrate 后即可启动。")
        else:
            self.stdout.write("  运行 fazhi migrate 后即可启动。")
