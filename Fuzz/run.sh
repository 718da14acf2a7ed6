#!/usr/bin/env bash
# Builds a libFuzzer harness and runs it on its seed corpus.
#
#   Fuzz/run.sh <harness> [seconds] [extra libFuzzer flags...]
#   Fuzz/run.sh build <harness>          build only
#   Fuzz/run.sh list                     the harnesses
#
# <harness> is a directory of Fuzz/ holding main.swift: CSVReader, SchemaReader, ModelLoader.
# The library modules PersonaKit and PersonaIO are compiled from Sources/ with the same
# instrumentation (-sanitize=fuzzer,address), once, into Fuzz/work/lib, and rebuilt when a
# source file changes. The run uses a working corpus in Fuzz/work/corpus/<harness> seeded
# from Fuzz/Corpus/<harness> (the committed seeds are never written to); crash, timeout and
# out-of-memory inputs go to Fuzz/artifacts/<harness>/.
#
# Environment: FUZZ_SANITIZERS (default fuzzer,address; "fuzzer" alone runs about twice as
# fast), FUZZ_OPT (default -O), FUZZ_MAX_LEN (default 8192 bytes).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FUZZ="$ROOT/Fuzz"
WORK="$FUZZ/work"
SANITIZERS="${FUZZ_SANITIZERS:-fuzzer,address}"
OPT="${FUZZ_OPT:--O}"
TAG="$(echo "$SANITIZERS$OPT" | tr -c 'a-zA-Z0-9' '_')"
LIB="$WORK/lib-$TAG"
HARNESSES=(CSVReader SchemaReader ModelLoader)

die() { echo "run.sh: $*" >&2; exit 2; }

# Compiles one library module (all its sources, whole-module) into $LIB.
build_module() {
    local name="$1"; shift
    local sources
    mapfile -t sources < <(find "$ROOT/Sources/$name" -name '*.swift' | sort)
    local object="$LIB/$name.o"
    if [[ -f "$object" ]] && [[ -z "$(find "$ROOT/Sources/$name" -name '*.swift' -newer "$object")" ]] \
        && [[ -z "${FORCE_REBUILD:-}" ]]; then
        return
    fi
    echo "building $name ($SANITIZERS, $OPT)…" >&2
    swiftc -module-name "$name" -parse-as-library -swift-version 6 "$OPT" -wmo \
        -sanitize="$SANITIZERS" -g \
        -I "$ROOT/Sources/CLAPACK" -I "$LIB" \
        -emit-module -emit-module-path "$LIB/$name.swiftmodule" \
        -c "${sources[@]}" -o "$object" "$@"
}

build() {
    local harness="$1"
    [[ -f "$FUZZ/$harness/main.swift" ]] || die "no harness Fuzz/$harness/main.swift"
    mkdir -p "$LIB" "$WORK/bin"
    build_module PersonaKit
    build_module PersonaIO
    # PersonaIO depends on PersonaKit's interface: rebuild it when PersonaKit is newer.
    if [[ "$LIB/PersonaKit.o" -nt "$LIB/PersonaIO.o" ]]; then FORCE_REBUILD=1 build_module PersonaIO; fi
    local binary="$WORK/bin/$harness-$TAG"
    if [[ ! -x "$binary" || "$FUZZ/$harness/main.swift" -nt "$binary" || -n "$(find "$FUZZ/Shared" -newer "$binary")" || "$LIB/PersonaIO.o" -nt "$binary" ]]; then
        echo "building $harness…" >&2
        swiftc -module-name "${harness}Fuzz" -parse-as-library -swift-version 6 "$OPT" -sanitize="$SANITIZERS" -g \
            -I "$ROOT/Sources/CLAPACK" -I "$LIB" \
            "$FUZZ/$harness/main.swift" "$FUZZ"/Shared/*.swift "$LIB/PersonaIO.o" "$LIB/PersonaKit.o" \
            -use-ld=lld -llapack -lblas -o "$binary"
    fi
    echo "$binary"
}

case "${1:-}" in
    list) printf '%s\n' "${HARNESSES[@]}"; exit 0 ;;
    build) [[ $# -ge 2 ]] || die "usage: Fuzz/run.sh build <harness>"; build "$2" >/dev/null; exit 0 ;;
    ""|-h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac

harness="$1"; seconds="${2:-600}"; shift; [[ $# -gt 0 ]] && shift
binary="$(build "$harness")"
corpus="$WORK/corpus/$harness"
artifacts="$FUZZ/artifacts/$harness"
mkdir -p "$corpus" "$artifacts"
cp -n "$FUZZ/Corpus/$harness"/* "$corpus"/ 2>/dev/null || true
dict=()
[[ -f "$FUZZ/Dictionaries/$harness.dict" ]] && dict=(-dict="$FUZZ/Dictionaries/$harness.dict")

# One process, one job: the machine is shared. ASan's leak checker is off (the Swift runtime
# keeps caches alive on purpose); libFuzzer's -malloc_limit_mb flags any single allocation
# above the limit as an unbounded allocation.
# The Swift runtime's own backtracer is off: under ASan it reports itself instead of the crash.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}"
set -x
exec "$binary" "$corpus" "${dict[@]}" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 \
    -max_len="${FUZZ_MAX_LEN:-8192}" -print_final_stats=1 -artifact_prefix="$artifacts/" "$@"
