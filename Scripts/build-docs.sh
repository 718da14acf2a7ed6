#!/usr/bin/env bash
# Builds the API documentation of the library targets (PersonaKit, PersonaIO, PersonaStore)
# with DocC and fails on any warning.
#
#   Scripts/build-docs.sh [OUTPUT_DIR]      # default: out/docs
#
# Writes OUTPUT_DIR/<Target>.doccarchive for each target. The build goes to .build-docs/, apart
# from the package's .build/, so it neither waits on nor invalidates a running build or test.
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-out/docs}"
targets=(PersonaKit PersonaIO PersonaStore)

target_args=()
for target in "${targets[@]}"; do target_args+=(--target "$target"); done
mkdir -p "$out"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

start=$SECONDS
set +e
swift package --scratch-path .build-docs --allow-writing-to-directory "$out" \
  generate-documentation "${target_args[@]}" --output-path "$out" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# Warnings are counted here rather than made errors with docc's --warnings-as-errors, which
# stops at the first target with one: every warning of every target is listed.
# docc's diagnostics start a line ("warning: …"); the compiler's follow a location ("file:1:2: warning: …").
problems="$(grep -c -E '^(warning|error):|: (warning|error):' "$log" || true)"
if [ "$status" -ne 0 ] || [ "$problems" -ne 0 ]; then
  echo "build-docs: $problems warning(s) or error(s), exit status $status; see above" >&2
  exit 1
fi
echo "build-docs: no warnings in $((SECONDS - start)) s; archives in $out: ${targets[*]/%/.doccarchive}"
