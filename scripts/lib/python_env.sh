#!/usr/bin/env bash
# Makes the Python client's virtual environment, .venv in the repository root (ignored by git),
# from clients/python/requirements-dev.txt (pinned) and prints its python's path. The
# requirements' hash is kept in the venv: a changed file rebuilds it, an unchanged one costs
# nothing. With --bench: .venv-bench, with clients/python/requirements-bench.txt (grpcio) too.
#   python=$(scripts/lib/python_env.sh)          # tests, mypy, gen-proto
#   python=$(scripts/lib/python_env.sh --bench)  # the benchmark
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv="${PEERD_VENV:-$root/.venv}"
requirements=("$root/clients/python/requirements-dev.txt")
if [[ "${1:-}" == "--bench" ]]; then
  venv="${PEERD_VENV:-$root/.venv-bench}"
  requirements+=("$root/clients/python/requirements-bench.txt")
fi
stamp=$(cat "${requirements[@]}" | sha256sum | cut -d' ' -f1)
if [[ ! -x "$venv/bin/python" || "$(cat "$venv/.requirements-hash" 2>/dev/null)" != "$stamp" ]]; then
  command -v python3 >/dev/null || { echo "python_env: python3 (3.10 or newer) is missing" >&2; exit 1; }
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' || { echo "python_env: python3 must be 3.10 or newer" >&2; exit 1; }
  echo "python_env: creating $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv" || { echo "python_env: python3 -m venv failed (Debian: apt-get install python3-venv)" >&2; exit 1; }
  args=()
  for r in "${requirements[@]}"; do args+=(-r "$r"); done
  "$venv/bin/pip" install -q --disable-pip-version-check "${args[@]}" >&2
  echo "$stamp" > "$venv/.requirements-hash"
fi
echo "$venv/bin/python"
