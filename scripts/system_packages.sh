#!/usr/bin/env bash
# Debian packages the platform uses when present: a CJK font for the bound volumes (PDF),
# headless LibreOffice to read old .doc/.wps/.xls/.ppt files and to convert Office files into
# the volumes, and Tesseract with its simplified-Chinese model plus poppler's pdftoppm to
# recognise the text of scans and photos (OCR; nothing is downloaded at run time). `--test` adds what the test suite drives: chromium, PostgreSQL, zip.
# Installs only when run as root on a Debian-like system; otherwise says what is missing.
set -euo pipefail
need=()
[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || need+=(fonts-wqy-zenhei)
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui)
command -v tesseract >/dev/null || need+=(tesseract-ocr)
[ -n "$(ls /usr/share/tesseract-ocr/*/tessdata/chi_sim.traineddata 2>/dev/null)" ] || need+=(tesseract-ocr-chi-sim)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
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
  echo "提示：缺少系统软件包 ${need[*]}（需要 root 用 apt-get 安装）；汇编将缺少中文字体或文档转换，扫描件将不能识别文字。" >&2
fi
