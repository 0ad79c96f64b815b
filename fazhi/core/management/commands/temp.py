"""fazhi temp sweep: see fazhi.core.tempfiles."""

import json

from django.core.management.base import BaseCommand, CommandError

from fazhi.core.tempfiles import sweep_temp_area, temp_root


class Command(BaseCommand):
    help = (
        "临时文件区（数据目录下的 tmp，或 FAZHI_TEMP_DIR）：fazhi temp sweep 删除已结束进程"
        "（例如被强行终止的上传、生成或导入）留下的临时文件，无法判断所属进程的在一天未改动后删除；"
        '运行中进程的文件不受影响。输出 JSON：{"removed": 文件数, "bytes": 字节数, …}。'
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["sweep"], help="sweep：清理临时文件")

    def handle(self, *args, action, **options):
        if action != "sweep":  # argparse refuses other actions already
            raise CommandError("用法：fazhi temp sweep")
        result = sweep_temp_area()
        self.stdout.write(json.dumps({**result.as_dict(), "area": str(temp_root())}))
