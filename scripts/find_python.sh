#!/usr/bin/env bash
# Print the path of a usable interpreter: `find_python.sh bot` (Python 3.10, for
# Rasa 3.6) or `find_python.sh app` (Python >= 3.10). Exits 1 with instructions.
set -uo pipefail
kind=${1:?usage: find_python.sh bot|app}

works() {  # works PYTHON MIN_MINOR MAX_MINOR
  [ -n "$1" ] && [ -x "$1" ] || command -v "$1" >/dev/null 2>&1 || return 1
  "$1" - "$2" "$3" <<'PY' >/dev/null 2>&1
import sys, venv, ensurepip  # venv and ensurepip: Debian splits them out
lo, hi = int(sys.argv[1]), int(sys.argv[2])
sys.exit(0 if sys.version_info[0] == 3 and lo <= sys.version_info[1] <= hi else 1)
PY
}

pyenv_root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
if [ "$kind" = bot ]; then
  lo=10 hi=10 override=${SPORTELLO_PYTHON310:-}
  candidates=$(ls -d "$pyenv_root"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -rV)
  candidates="$candidates python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10"
else
  lo=10 hi=13 override=${SPORTELLO_PYTHON_APP:-}
  candidates="python3 python3.12 python3.11 python3.13 /usr/bin/python3"
  candidates="$candidates $(ls -d "$pyenv_root"/versions/3.1[1-3].*/bin/python3 2>/dev/null | sort -rV)"
fi

for py in $override $candidates; do
  if works "$py" "$lo" "$hi"; then
    command -v "$py"
    exit 0
  fi
done

if [ "$kind" = bot ]; then
  cat >&2 <<MSG
Python 3.10 non trovato: Rasa 3.6 funziona solo fino a Python 3.10.
Installalo in uno di questi modi e rilancia il comando:
  - pyenv install 3.10.13            (consigliato; poi nessun'altra impostazione)
  - sudo apt-get install python3.10 python3.10-venv   (Debian/Ubuntu con Python 3.10 nei repository)
  - uv python install 3.10
Se è già installato in un percorso non standard: export SPORTELLO_PYTHON310=/percorso/python3.10
MSG
else
  cat >&2 <<MSG
Serve Python 3.10-3.13 con il modulo venv (sudo apt-get install python3 python3-venv),
oppure indica l'interprete con: export SPORTELLO_PYTHON_APP=/percorso/python3
MSG
fi
exit 1
