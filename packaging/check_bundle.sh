#!/usr/bin/env bash
# Start the built bundle offscreen on a throw-away config and check that its window comes up.
set -euo pipefail
bundle=${1:-dist/rolecall/rolecall}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '[profile base]\nregion = eu-west-1\n\n[profile reader]\nrole_arn = arn:aws:iam::123456789012:role/Reader\nsource_profile = base\n' > "$tmp/config"
start=$(date +%s.%N)
out=$(env -i PATH=/usr/bin:/bin HOME="$tmp" XDG_RUNTIME_DIR="$tmp" QT_QPA_PLATFORM=offscreen \
  AWS_CONFIG_FILE="$tmp/config" PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring \
  timeout 120 "$bundle" --exit-when-shown 2>"$tmp/err") || { cat "$tmp/err"; exit 1; }
end=$(date +%s.%N)
[ "$out" = "rolecall: shown, roles listed: 1" ] || { echo "unexpected output: $out"; cat "$tmp/err"; exit 1; }
version=$("$bundle" --version)
echo "bundle OK: $version, window shown in $(echo "$end - $start" | bc) s; size $(du -sh "$(dirname "$bundle")" | cut -f1)"
