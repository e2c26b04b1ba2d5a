#!/usr/bin/env bash
# Train the Rasa model when its inputs changed: `train.sh [CONFIG] [MODEL_NAME]`.
# The inputs' hash is kept next to the model, so an unchanged tree costs nothing.
set -euo pipefail
# Nothing leaves the machine, also when this runs outside make (Rasa would report errors to Sentry).
export RASA_TELEMETRY_ENABLED=${RASA_TELEMETRY_ENABLED:-false}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
config=${1:-config.yml}
name=${2:-sportello}
out=models
model=$out/$name.tar.gz
stamp=$out/$name.inputs.sha256

hash=$( { echo "$config"; find "$config" domain.yml bot/data -name '*.yml' -type f | sort | xargs sha256sum; } | sha256sum | cut -d' ' -f1)
if [ -f "$model" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$hash" ]; then
  echo "==> Modello $model già aggiornato"
  exit 0
fi
echo "==> Addestro il modello $model con $config (qualche minuto; avanzamento per epoca qui sotto)"
mkdir -p "$out"
start=$(date +%s)
.venv-bot/bin/rasa train --config "$config" --domain domain.yml --data bot/data \
  --out "$out" --fixed-model-name "$name" --force
echo "$hash" > "$stamp"
echo "==> Modello pronto in $(( $(date +%s) - start )) s: $model"
