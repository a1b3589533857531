#!/usr/bin/env bash
# Installs the Debian packages Rhetor builds against, if they are missing: libblas-dev (CBLAS
# header and libblas.so.3), libsqlite3-dev (for GRDB), pkg-config, and binutils (objdump, for
# scripts/check-simd). Needs root (or sudo) only when
# something is missing.
set -euo pipefail
need=()
dpkg -s libblas-dev >/dev/null 2>&1 || need+=(libblas-dev)
dpkg -s pkg-config >/dev/null 2>&1 || need+=(pkg-config)
dpkg -s libsqlite3-dev >/dev/null 2>&1 || need+=(libsqlite3-dev)
command -v objdump >/dev/null 2>&1 || need+=(binutils)  # scripts/check-simd
if ((${#need[@]})); then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing: ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
