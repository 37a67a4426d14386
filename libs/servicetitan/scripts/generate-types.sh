#!/usr/bin/env bash
# Regenerates the ServiceTitan response types from the vendored official OpenAPI specs
# (libs/servicetitan/openapi/*.json -> libs/servicetitan/src/generated/*.ts) with openapi-typescript, then formats
# them with the repository's prettier settings so diffs stay readable.
# Usage (from anywhere): libs/servicetitan/scripts/generate-types.sh [--check]
#   --check  regenerate into a temporary folder and fail if the committed files differ (for CI).
set -euo pipefail

LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT_DIR="$(cd "$LIB_DIR/../.." && pwd)"
SPEC_DIR="$LIB_DIR/openapi"
OUT_DIR="$LIB_DIR/src/generated"
MODULES=(accounting inventory jpm payroll pricebook settings)
CHECK=false
if [[ "${1:-}" == "--check" ]]; then CHECK=true; fi

TARGET_DIR="$OUT_DIR"
if $CHECK; then
  # Inside the repo so prettier picks up the same configuration.
  TARGET_DIR="$(mktemp -d "$LIB_DIR/.generated-check.XXXXXX")"
  trap 'rm -rf "$TARGET_DIR"' EXIT
fi

mkdir -p "$TARGET_DIR"
cd "$ROOT_DIR"
for module in "${MODULES[@]}"; do
  npx --no-install openapi-typescript "$SPEC_DIR/$module-v2.json" --output "$TARGET_DIR/$module.ts"
done
npx --no-install prettier --ignore-path /dev/null --log-level warn --write "$TARGET_DIR"/*.ts

if $CHECK; then
  for module in "${MODULES[@]}"; do
    if ! cmp -s "$TARGET_DIR/$module.ts" "$OUT_DIR/$module.ts"; then
      echo "src/generated/$module.ts is out of date: run libs/servicetitan/scripts/generate-types.sh" >&2
      exit 1
    fi
  done
  echo "generated types are up to date"
fi
