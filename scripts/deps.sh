#!/usr/bin/env bash
# Install the Debian packages contam needs to build and test, if missing.
set -euo pipefail
pkgs=(build-essential meson ninja-build pkg-config libzstd-dev libxxhash-dev
      libarchive-dev libutf8proc-dev zlib1g-dev libisal-dev libjansson-dev libbz2-dev liblzma-dev zstd python3 python3-dev bzip2 xz-utils
      libopenmpi-dev openmpi-bin time
      # Parquet codecs (src/lib/reader/parquet.c)
      libsnappy-dev liblz4-dev libbrotli-dev
      # contam report --format latex is compiled by tests/cli/test_report_latex.py
      # (pdflatex; booktabs is in -recommended, tabularx in -base)
      texlive-latex-base texlive-latex-recommended)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
