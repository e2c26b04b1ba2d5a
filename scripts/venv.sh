#!/usr/bin/env bash
# Create or refresh a virtual environment from its lock file: `venv.sh bot|app`.
# Idempotent: does nothing when the lock file has not changed since the last install.
set -euo pipefail
kind=${1:?usage: venv.sh bot|app}
root=$(cd "$(dirname "$0")/.." && pwd)
venv=$root/.venv-$kind
lock=$root/requirements/$kind.lock
stamp=$venv/.lock.sha256
want=$(sha256sum "$lock" | cut -d' ' -f1)

if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
python=$("$root/scripts/find_python.sh" "$kind")
if [ ! -x "$venv/bin/python" ]; then
  echo "==> Creo l'ambiente $kind in $venv con $python"
  "$python" -m venv "$venv"
fi
echo "==> Installo le dipendenze di $kind da requirements/$kind.lock (la prima volta richiede qualche minuto)"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24" wheel
"$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar on -r "$lock" 2>&1 \
  | { grep -v -E "^(Requirement already satisfied|WARNING: Location)" || true; }
"$venv/bin/python" -m pip check >/dev/null || { "$venv/bin/python" -m pip check; exit 1; }
echo "$want" > "$stamp"
echo "==> Ambiente $kind pronto"
