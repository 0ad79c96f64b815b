"""fazhi backup PATH | fazhi backup verify PATH: see fazhi.core.backup."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fazhi.core.backup import BackupError, backup_create, backup_verify


class Command(BaseCommand):
    help = (
        "备份嵌入式部署：fazhi backup 备份文件.tar 写出一个归档（SQLite 数据库的在线快照、数据库"
        "引用的全部文件和 SHA-256 清单），平台运行、用户上传时也可进行；"
        "fazhi backup verify 备份文件.tar 按清单逐个核对。"
    )

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="+", metavar="[verify] PATH")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, as_json=False, **options):
        if len(args) == 2 and args[0] == "verify":
            return self._verify(Path(args[1]), as_json)
        if len(args) != 1:
            raise CommandError(
                "用法：fazhi backup 备份文件.tar 或 fazhi backup verify 备份文件.tar"
            )
        try:
            result = backup_create(Path(args[0]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "path": str(result.path),
                        "files": result.files,
                        "bytes": result.total_bytes,
                        "problems": result.problems,
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"备份完成：{result.path}（数据库和 {result.files} 个文件，"
                    f"共 {result.total_bytes} 字节）"
                )
            )
            for problem in result.problems:
                self.stderr.write(f"  注意：{problem}")
        if result.problems:
            raise CommandError(f"备份已写出，但有 {len(result.problems)} 个问题，见上。")

    def _verify(self, path: Path, as_json: bool) -> None:
        try:
            manifest = backup_verify(path)
        except BackupError as exc:
            if as_json:
                self.stdout.write(json.dumps({"ok": False, "error": str(exc)}, ensure_ascii=False))
            raise CommandError(f"备份核对未通过：{exc}") from exc
        count = len(manifest["members"])
        if as_json:
            self.stdout.write(
                json.dumps(
                    {"ok": True, "members": count, "created_at": manifest["created_at"]},
                    ensure_ascii=False,
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"备份完好：{path}（{count} 个成员与清单一致，备份于 {manifest['created_at']}）"
                )
            )
