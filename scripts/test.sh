#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine with the .NET 10 SDK. Installs what the tests need
# (Node.js + Azurite from package-lock.json, Debian's chromium for the EventSource tests), builds once,
# runs every test project, and prints one closing line "N passed, N failed, N skipped".
# The tests start their own services: Azurite and the AMQP test broker on 127.0.0.1, Kestrel, chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "== installing Node.js (for Azurite)"
  apt_install nodejs npm
fi

if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.lock-copy 2>/dev/null; then
  echo "== npm ci (Azurite)"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.lock-copy
fi

if ! command -v chromium >/dev/null; then
  echo "== installing chromium (headless EventSource tests)"
  apt_install chromium
fi

echo "== dotnet build"
dotnet build Gateway.sln -nologo -clp:ErrorsOnly

echo "== dotnet test"
log="$(mktemp)"
set +e
dotnet test Gateway.sln --no-build -nologo --blame-hang-timeout 5m 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# dotnet test prints one summary line per test assembly; add them up into the closing line CI reads.
awk '
  /(Passed|Failed)! +- +Failed:/ {
    for (i = 1; i <= NF; i++) {
      gsub(",", "", $(i+1));
      if ($i == "Failed:")  failed  += $(i+1);
      if ($i == "Passed:")  passed  += $(i+1);
      if ($i == "Skipped:") skipped += $(i+1);
    }
    assemblies++
  }
  END {
    printf "test assemblies: %d\n", assemblies;
    printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped;
    if (assemblies == 0) exit 3;
  }' "$log" || { [ "$status" -ne 0 ] || status=3; }
rm -f "$log"
exit "$status"
