#!/usr/bin/env bash
# Debian packages the platform uses when present: a CJK font for the bound volumes (PDF) and
# headless LibreOffice to read old .doc/.wps/.xls/.ppt files and to convert Office files into
# the volumes. `--test` adds what the test suite drives: chromium, PostgreSQL, zip.
# Installs only when run as root on a Debian-like system; otherwise says what is missing.
set -euo pipefail
need=()
[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || need+=(fonts-wqy-zenhei)
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui)
if [ "${1:-}" = "--test" ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  command -v zip >/dev/null || need+=(zip)
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "安装系统软件包：${need[*]}" >&2
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
else
  echo "提示：缺少系统软件包 ${need[*]}（需要 root 用 apt-get 安装）；汇编将缺少中文字体或文档转换。" >&2
fi
