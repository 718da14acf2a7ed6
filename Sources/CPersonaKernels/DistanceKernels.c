// The distance kernels of PersonaKit in C, compiled twice: once for the baseline instruction
// set and once for AVX, chosen at run time. Swift has no per-function target attributes, and
// a package cannot raise the target of a whole module without unsafe flags, so the
// eight-lane arithmetic of `DistanceKernel` otherwise runs as two four-lane SSE halves.
//
// Every distance is summed in exactly the order of `DistanceKernel.squaredDistance`:
// dimension j (for j below d rounded down to a multiple of 8) goes to partial sum j mod 8,
// each partial sum adds its squares in order of j, the eight partial sums are added in
// order, then the remaining dimensions one by one. Plain multiply and add, never fused
// (contraction is off below), so the portable and AVX code, the Swift kernel and the
// generated SQL all give the same bits.

#include "PersonaKernels.h"

#include <math.h>
#include <string.h>

#pragma clang fp contract(off)
// Eight-lane vectors pass only between always-inlined helpers, never across a real call.
#pragma clang diagnostic ignored "-Wpsabi"

typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));

#define ALWAYS_INLINE static inline __attribute__((always_inline))

ALWAYS_INLINE v8f load8(const float *p) {
    v8f v;
    memcpy(&v, p, sizeof v);
    return v;
}

ALWAYS_INLINE v8f splat(float s) { return (v8f){s, s, s, s, s, s, s, s}; }

ALWAYS_INLINE v8f select8(v8i mask, v8f yes, v8f no) {
    v8i y = (v8i)yes, n = (v8i)no;
    return (v8f)((y & mask) | (n & ~mask));
}

ALWAYS_INLINE v8f min8(v8f a, v8f b) { return select8((v8i)(b < a), b, a); }

/// The smallest lane, in every lane.
ALWAYS_INLINE v8f spread_min(v8f v) {
    v = min8(v, __builtin_shufflevector(v, v, 4, 5, 6, 7, 0, 1, 2, 3));
    v = min8(v, __builtin_shufflevector(v, v, 2, 3, 0, 1, 6, 7, 4, 5));
    return min8(v, __builtin_shufflevector(v, v, 1, 0, 3, 2, 5, 4, 7, 6));
}

/// Bit i set where lane i of `mask` is set.
ALWAYS_INLINE unsigned lane_bits(v8i mask) {
    const v8i weights = {1, 2, 4, 8, 16, 32, 64, 128};
    v8i w = mask & weights;
    return (unsigned)(w[0] | w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7]);
}

/// Distances from four rows to one block of eight centres (rows may repeat).
ALWAYS_INLINE void block4(const float *x0, const float *x1, const float *x2, const float *x3,
                          const float *block, long d, v8f out[4]) {
    long full = d & ~7L;
    v8f s0 = splat(0), s1 = splat(0), s2 = splat(0), s3 = splat(0);
    if (full > 0) {
        for (long lane = 0; lane < 8; lane++) {
            v8f p0 = splat(0), p1 = splat(0), p2 = splat(0), p3 = splat(0);
            for (long j = lane; j < full; j += 8) {
                v8f c = load8(block + j * 8);
                v8f t0 = c - splat(x0[j]), t1 = c - splat(x1[j]);
                v8f t2 = c - splat(x2[j]), t3 = c - splat(x3[j]);
                p0 = p0 + t0 * t0; p1 = p1 + t1 * t1;
                p2 = p2 + t2 * t2; p3 = p3 + t3 * t3;
            }
            if (lane == 0) {
                s0 = p0; s1 = p1; s2 = p2; s3 = p3;
            } else {
                s0 = s0 + p0; s1 = s1 + p1; s2 = s2 + p2; s3 = s3 + p3;
            }
        }
    }
    for (long j = full; j < d; j++) {
        v8f c = load8(block + j * 8);
        v8f t0 = c - splat(x0[j]), t1 = c - splat(x1[j]);
        v8f t2 = c - splat(x2[j]), t3 = c - splat(x3[j]);
        s0 = s0 + t0 * t0; s1 = s1 + t1 * t1;
        s2 = s2 + t2 * t2; s3 = s3 + t3 * t3;
    }
    out[0] = s0; out[1] = s1; out[2] = s2; out[3] = s3;
}

/// Distances from one row to one block.
ALWAYS_INLINE void block1(const float *x, const float *block, long d, v8f *out) {
    long full = d & ~7L;
    v8f s = splat(0);
    if (full > 0) {
        for (long lane = 0; lane < 8; lane++) {
            v8f p = splat(0);
            for (long j = lane; j < full; j += 8) {
                v8f t = load8(block + j * 8) - splat(x[j]);
                p = p + t * t;
            }
            s = lane == 0 ? p : s + p;
        }
    }
    for (long j = full; j < d; j++) {
        v8f t = load8(block + j * 8) - splat(x[j]);
        s = s + t * t;
    }
    *out = s;
}

/// Distances from row x (lanes 0–3) and row y (lanes 4–7) to a block of four centres held
/// twice.
ALWAYS_INLINE void paired1(const float *x, const float *y, const float *block, long d, v8f *out) {
    long full = d & ~7L;
    v8f s = splat(0);
    if (full > 0) {
        for (long lane = 0; lane < 8; lane++) {
            v8f p = splat(0);
            for (long j = lane; j < full; j += 8) {
                v8f t = load8(block + j * 8) - (v8f){x[j], x[j], x[j], x[j], y[j], y[j], y[j], y[j]};
                p = p + t * t;
            }
            s = lane == 0 ? p : s + p;
        }
    }
    for (long j = full; j < d; j++) {
        v8f t = load8(block + j * 8) - (v8f){x[j], x[j], x[j], x[j], y[j], y[j], y[j], y[j]};
        s = s + t * t;
    }
    *out = s;
}

/// The nearest and second-nearest so far.
typedef struct {
    float first, second;
    int32_t firstIndex, secondIndex;
} Nearest;

/// Folds one block's distances (lanes from `count` on are ignored) into `n`. Within the
/// block: the smallest lane (lowest on ties) and the smallest of the others (lowest on ties).
/// Across blocks, earlier blocks win ties, as a scan in index order would.
ALWAYS_INLINE void fold(Nearest *n, const v8f *measured, int32_t base, long count) {
    v8f lanes = *measured;
    const v8i iota = {0, 1, 2, 3, 4, 5, 6, 7};
    const v8f infinity = splat(INFINITY);
    if (count < 8) lanes = select8(iota >= (int32_t)count, infinity, lanes);
    v8f low = spread_min(lanes);
    int32_t lane = __builtin_ctz(lane_bits((v8i)(lanes == low)));
    v8f others = select8(iota == lane, infinity, lanes);
    v8f next = spread_min(others);
    float best = low[0], runnerUp = next[0];
    if (best < n->first) {
        if (n->first <= runnerUp) {
            n->second = n->first; n->secondIndex = n->firstIndex;
        } else {
            n->second = runnerUp;
            n->secondIndex = base + __builtin_ctz(lane_bits((v8i)(others == next)));
        }
        n->first = best; n->firstIndex = base + lane;
    } else if (best < n->second) {
        n->second = best; n->secondIndex = base + lane;
    }
}

ALWAYS_INLINE void store(const Nearest *n, long r, int32_t *first, float *firstDistance,
                         int32_t *second, float *secondDistance) {
    first[r] = n->firstIndex < 0 ? 0 : n->firstIndex;
    firstDistance[r] = n->first;
    if (second) second[r] = n->secondIndex;
    if (secondDistance) secondDistance[r] = n->second;
}

ALWAYS_INLINE void nearest_two_body(const float *x, long rows, long d, const float *blocks, long k,
                                    int32_t *first, float *firstDistance, int32_t *second,
                                    float *secondDistance) {
    const Nearest empty = {INFINITY, INFINITY, -1, -1};
    long r = 0;
    for (; r + 4 <= rows; r += 4) {
        const float *x0 = x + r * d;
        Nearest n[4] = {empty, empty, empty, empty};
        for (long base = 0; base < k; base += 8) {
            v8f lanes[4];
            block4(x0, x0 + d, x0 + 2 * d, x0 + 3 * d, blocks + base * d, d, lanes);
            for (int i = 0; i < 4; i++) fold(&n[i], &lanes[i], (int32_t)base, k - base);
        }
        for (int i = 0; i < 4; i++) store(&n[i], r + i, first, firstDistance, second, secondDistance);
    }
    for (; r < rows; r++) {
        Nearest n = empty;
        for (long base = 0; base < k; base += 8) {
            v8f lanes;
            block1(x + r * d, blocks + base * d, d, &lanes);
            fold(&n, &lanes, (int32_t)base, k - base);
        }
        store(&n, r, first, firstDistance, second, secondDistance);
    }
}

void pk_nearest_two_portable(const float *x, long rows, long d, const float *blocks, long k,
                             int32_t *first, float *firstDistance, int32_t *second, float *secondDistance) {
    nearest_two_body(x, rows, d, blocks, k, first, firstDistance, second, secondDistance);
}

void pk_block_distances_portable(const float *x, const float *block, long d, float out[8]) {
    v8f s;
    block1(x, block, d, &s);
    memcpy(out, &s, sizeof s);
}

void pk_paired_block_distances_portable(const float *x, const float *y, const float *block, long d, float out[8]) {
    v8f s;
    paired1(x, y, block, d, &s);
    memcpy(out, &s, sizeof s);
}

/// Listed rows against one block, four at a time: the block's values are loaded once for
/// the four, whose sums are independent. Each row's lanes are those of `block1`.
ALWAYS_INLINE void listed_block_body(const float *x, long d, const float *block, const int32_t *rows, long count, float *out) {
    long i = 0;
    for (; i + 4 <= count; i += 4) {
        v8f lanes[4];
        block4(x + (long)rows[i] * d, x + (long)rows[i + 1] * d, x + (long)rows[i + 2] * d, x + (long)rows[i + 3] * d,
               block, d, lanes);
        memcpy(out + i * 8, lanes, sizeof lanes);
    }
    for (; i < count; i++) {
        v8f lanes;
        block1(x + (long)rows[i] * d, block, d, &lanes);
        memcpy(out + i * 8, &lanes, sizeof lanes);
    }
}

#if defined(__x86_64__)
__attribute__((target("avx")))
static void paired_block_distances_avx(const float *x, const float *y, const float *block, long d, float out[8]) {
    v8f s;
    paired1(x, y, block, d, &s);
    memcpy(out, &s, sizeof s);
}

__attribute__((target("avx")))
static void nearest_two_avx(const float *x, long rows, long d, const float *blocks, long k,
                            int32_t *first, float *firstDistance, int32_t *second, float *secondDistance) {
    nearest_two_body(x, rows, d, blocks, k, first, firstDistance, second, secondDistance);
}

__attribute__((target("avx")))
static void listed_block_distances_avx(const float *x, long d, const float *block, const int32_t *rows, long count, float *out) {
    listed_block_body(x, d, block, rows, count, out);
}

__attribute__((target("avx")))
static void block_distances_avx(const float *x, const float *block, long d, float out[8]) {
    v8f s;
    block1(x, block, d, &s);
    memcpy(out, &s, sizeof s);
}
#endif

ALWAYS_INLINE void sum_rows_body(const float *x, long rows, long d, const int32_t *labels, const _Bool *include,
                                 const double *weights, double *sums, double *clusterWeights) {
    for (long r = 0; r < rows; r++) {
        int32_t c = labels[r];
        if (!include[c]) continue;
        const float *point = x + r * d;
        double *target = sums + (long)c * d;
        if (weights) {
            double w = weights[r];
            clusterWeights[c] = clusterWeights[c] + w;
            for (long j = 0; j < d; j++) target[j] = target[j] + w * (double)point[j];
        } else {
            clusterWeights[c] = clusterWeights[c] + 1;
            for (long j = 0; j < d; j++) target[j] = target[j] + (double)point[j];
        }
    }
}

#if defined(__x86_64__)
__attribute__((target("avx")))
static void sum_rows_avx(const float *x, long rows, long d, const int32_t *labels, const _Bool *include,
                         const double *weights, double *sums, double *clusterWeights) {
    sum_rows_body(x, rows, d, labels, include, weights, sums, clusterWeights);
}
#endif

void pk_sum_rows(const float *x, long rows, long d, const int32_t *labels, const _Bool *include,
                 const double *weights, double *sums, double *clusterWeights) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx")) {
        sum_rows_avx(x, rows, d, labels, include, weights, sums, clusterWeights);
        return;
    }
#endif
    sum_rows_body(x, rows, d, labels, include, weights, sums, clusterWeights);
}

void pk_paired_block_distances(const float *x, const float *y, const float *block, long d, float out[8]) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx")) {
        paired_block_distances_avx(x, y, block, d, out);
        return;
    }
#endif
    pk_paired_block_distances_portable(x, y, block, d, out);
}

int pk_vector_level(void) {
#if defined(__x86_64__)
    return __builtin_cpu_supports("avx") ? 1 : 0;
#else
    return 0;
#endif
}

void pk_nearest_two(const float *x, long rows, long d, const float *blocks, long k,
                    int32_t *first, float *firstDistance, int32_t *second, float *secondDistance) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx")) {
        nearest_two_avx(x, rows, d, blocks, k, first, firstDistance, second, secondDistance);
        return;
    }
#endif
    nearest_two_body(x, rows, d, blocks, k, first, firstDistance, second, secondDistance);
}

void pk_listed_block_distances(const float *x, long d, const float *block, const int32_t *rows, long count, float *out) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx")) {
        listed_block_distances_avx(x, d, block, rows, count, out);
        return;
    }
#endif
    listed_block_body(x, d, block, rows, count, out);
}

void pk_block_distances(const float *x, const float *block, long d, float out[8]) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx")) {
        block_distances_avx(x, block, d, out);
        return;
    }
#endif
    pk_block_distances_portable(x, block, d, out);
}

// ---------------------------------------------------------------------------------------
// The fused kernel of the k-means iterations.
//
// ‖x − c‖² in the exact kernel's order, with one fused multiply–add per dimension where the
// exact kernel multiplies and adds: dimension j (below d rounded down to a multiple of 8)
// goes to partial sum j mod 8, p ← fma(c_j − x_j, c_j − x_j, p); the eight partial sums are
// added in order; the remaining dimensions are fused in one by one. Nothing but k-means'
// iterations uses it; the final labelling of a fit, assignment and the SQL export keep the
// exact kernel above. Its relative error is at most about (d/8 + 9)·2⁻²⁴, within the γ that
// the accelerated steps' bounds allow for, and a fused multiply–add is correctly rounded by
// definition: so the AVX2 + FMA code and the portable code (the same operations, which the
// compiler turns into `fmaf`) give the same bits on every machine. A row against eight
// centres, eight rows at a time, costs one subtraction and one fused multiply–add per value
// instead of three operations, and the nearest centre is kept per lane across blocks rather
// than found after every block: about 1.2 times as fast as the exact kernel at k = 8 and 2
// times at k = 32 (1,000,000 × 30, one core).
// ---------------------------------------------------------------------------------------

#define FUSED_ROWS 8

ALWAYS_INLINE v8f fma8(v8f a, v8f b, v8f c) { return __builtin_elementwise_fma(a, b, c); }

#define FUSED_PARTIALS 8

/// Fused distances from `count` rows (at most FUSED_ROWS, width `d`, starting at `xs`) to one
/// block. Partial sum p (of FUSED_PARTIALS) takes the dimensions j ≡ p below d rounded down to
/// a multiple of FUSED_PARTIALS, in order; the partial sums are added in order, then the
/// remaining dimensions fused one by one. Every row gets the same operations whatever
/// `count`, so its lanes do not depend on the rows measured beside it.
ALWAYS_INLINE void fused_rows(const float *const xs[], long d, const float *block, const int count, v8f acc[]) {
    const long full = d - d % FUSED_PARTIALS;
    for (int i = 0; i < count; i++) acc[i] = splat(0);
    for (long p = 0; p < (full > 0 ? FUSED_PARTIALS : 0); p++) {
        v8f part[FUSED_ROWS];
        for (int i = 0; i < count; i++) part[i] = splat(0);
        for (long j = p; j < full; j += FUSED_PARTIALS) {
            v8f c = load8(block + j * 8);
            for (int i = 0; i < count; i++) {
                v8f t = c - splat(xs[i][j]);
                part[i] = fma8(t, t, part[i]);
            }
        }
        for (int i = 0; i < count; i++) acc[i] = p == 0 ? part[i] : acc[i] + part[i];
    }
    for (long j = full; j < d; j++) {
        v8f c = load8(block + j * 8);
        for (int i = 0; i < count; i++) {
            v8f t = c - splat(xs[i][j]);
            acc[i] = fma8(t, t, acc[i]);
        }
    }
}

ALWAYS_INLINE v8i min8i(v8i a, v8i b) {
    v8i less = a < b;
    return (a & less) | (b & ~less);
}

/// The smallest lane, in every lane.
ALWAYS_INLINE v8i spread_min_int(v8i v) {
    v = min8i(v, __builtin_shufflevector(v, v, 4, 5, 6, 7, 0, 1, 2, 3));
    v = min8i(v, __builtin_shufflevector(v, v, 2, 3, 0, 1, 6, 7, 4, 5));
    return min8i(v, __builtin_shufflevector(v, v, 1, 0, 3, 2, 5, 4, 7, 6));
}

/// Per lane, across blocks: the smallest distance, its centre, and the second smallest.
typedef struct {
    v8f best, second;
    v8i index;
} LaneNearest;

/// Folds one block's distances into `s` (`first`: the first block). Lanes from `count` on
/// are ignored. Earlier blocks win ties, as a scan in index order would.
ALWAYS_INLINE void fused_track(LaneNearest *s, v8f a, int32_t base, long count, int first) {
    const v8i iota = {0, 1, 2, 3, 4, 5, 6, 7};
    const v8f infinity = splat(INFINITY);
    if (count < 8) a = select8(iota >= (int32_t)count, infinity, a);
    v8i index = iota + base;
    if (first) {
        s->best = a; s->second = infinity; s->index = index;
        return;
    }
    v8i nearer = (v8i)(a < s->best);
    s->second = select8(nearer, s->best, min8(s->second, a));
    s->best = select8(nearer, a, s->best);
    s->index = (v8i)select8(nearer, (v8f)index, (v8f)s->index);
}

/// The nearest centre over all lanes (lowest index among equal distances), its distance,
/// and the smallest distance to any other centre.
ALWAYS_INLINE void fused_store(const LaneNearest *s, long r, int32_t *first, float *firstDistance, float *secondDistance) {
    v8f low = spread_min(s->best);
    v8i tied = (v8i)(s->best == low);
    v8i candidates = (s->index & tied) | ((v8i){0} + INT32_MAX) & ~tied;
    candidates = spread_min_int(candidates);
    int32_t winner = candidates[0];
    first[r] = winner;
    firstDistance[r] = low[0];
    if (secondDistance) {
        v8f others = select8(s->index == winner, s->second, s->best);
        secondDistance[r] = spread_min(others)[0];
    }
}

ALWAYS_INLINE void fused_nearest_body(const float *x, long rows, long d, const float *blocks, long k,
                                      int32_t *first, float *firstDistance, float *secondDistance) {
    long r = 0;
    for (; r + FUSED_ROWS <= rows; r += FUSED_ROWS) {
        LaneNearest s[FUSED_ROWS];
        const float *xs[FUSED_ROWS];
        for (int i = 0; i < FUSED_ROWS; i++) xs[i] = x + (r + i) * d;
        for (long base = 0; base < k; base += 8) {
            v8f acc[FUSED_ROWS];
            fused_rows(xs, d, blocks + base * d, FUSED_ROWS, acc);
            for (int i = 0; i < FUSED_ROWS; i++) fused_track(&s[i], acc[i], (int32_t)base, k - base, base == 0);
        }
        for (int i = 0; i < FUSED_ROWS; i++) fused_store(&s[i], r + i, first, firstDistance, secondDistance);
    }
    for (; r < rows; r++) {
        LaneNearest s;
        const float *xs[1] = {x + r * d};
        for (long base = 0; base < k; base += 8) {
            v8f acc[1];
            fused_rows(xs, d, blocks + base * d, 1, acc);
            fused_track(&s, acc[0], (int32_t)base, k - base, base == 0);
        }
        fused_store(&s, r, first, firstDistance, secondDistance);
    }
}

/// One row against one block.
ALWAYS_INLINE void fused_block_body(const float *x, const float *block, long d, float out[8]) {
    v8f acc[1];
    const float *xs[1] = {x};
    fused_rows(xs, d, block, 1, acc);
    memcpy(out, &acc[0], sizeof acc[0]);
}

/// Listed rows against one block, FUSED_ROWS rows at a time: the centre block is loaded once
/// for all of them, and their sums are independent, so the processor overlaps them.
ALWAYS_INLINE void fused_listed_block_body(const float *x, long d, const float *block, const int32_t *rows, long count, float *out) {
    long i = 0;
    for (; i + FUSED_ROWS <= count; i += FUSED_ROWS) {
        const float *xs[FUSED_ROWS];
        for (int t = 0; t < FUSED_ROWS; t++) xs[t] = x + (long)rows[i + t] * d;
        v8f acc[FUSED_ROWS];
        fused_rows(xs, d, block, FUSED_ROWS, acc);
        memcpy(out + i * 8, acc, sizeof acc);
    }
    for (; i < count; i++) fused_block_body(x + (long)rows[i] * d, block, d, out + i * 8);
}
/// One row against one centre in the same order: partial sum p is lane p of a vector of
/// FUSED_PARTIALS (eight) lanes, the lanes added in order, then the remaining dimensions.
ALWAYS_INLINE float fused_distance_body(const float *a, const float *b, long d) {
    _Static_assert(FUSED_PARTIALS == 8, "one vector of partial sums");
    const long full = d & ~7L;
    float s = 0;
    if (full > 0) {
        v8f part = splat(0);
        for (long j = 0; j < full; j += 8) {
            v8f t = load8(b + j) - load8(a + j);
            part = fma8(t, t, part);
        }
        s = part[0];
        for (int p = 1; p < 8; p++) s = s + part[p];
    }
    for (long j = full; j < d; j++) {
        float t = b[j] - a[j];
        s = __builtin_fmaf(t, t, s);
    }
    return s;
}

/// For each of `rows` consecutive rows, per block of eight centres (lanes from k on ignored):
/// the smallest fused distance, its lane (the lowest among equal ones) and the smallest
/// distance of the other lanes, at [row × groups + block] of `least`, `lane` and `other`.
ALWAYS_INLINE void fused_groups_body(const float *x, long rows, long d, const float *blocks, long k,
                                     float *least, int32_t *lane, float *other) {
    const long groups = (k + 7) / 8;
    const v8i iota = {0, 1, 2, 3, 4, 5, 6, 7};
    const v8f infinity = splat(INFINITY);
    long r = 0;
    while (r < rows) {
        const int count = rows - r >= FUSED_ROWS ? FUSED_ROWS : 1;
        const float *xs[FUSED_ROWS];
        for (int i = 0; i < count; i++) xs[i] = x + (r + i) * d;
        for (long g = 0; g < groups; g++) {
            v8f acc[FUSED_ROWS];
            if (count == FUSED_ROWS) fused_rows(xs, d, blocks + g * 8 * d, FUSED_ROWS, acc);
            else fused_rows(xs, d, blocks + g * 8 * d, 1, acc);
            const long used = k - g * 8;
            for (int i = 0; i < count; i++) {
                v8f a = used < 8 ? select8(iota >= (int32_t)used, infinity, acc[i]) : acc[i];
                v8f low = spread_min(a);
                int32_t first = __builtin_ctz(lane_bits((v8i)(a == low)));
                long at = (r + i) * groups + g;
                least[at] = low[0];
                lane[at] = first;
                other[at] = spread_min(select8(iota == first, infinity, a))[0];
            }
        }
        r += count;
    }
}

/// Listed rows against their own centres; the distances are independent of each other, so
/// the processor overlaps them where one at a time waits on each sum.
ALWAYS_INLINE void fused_own_body(const float *x, long d, const float *centres, const int32_t *labels,
                                  const int32_t *rows, long count, float *out) {
    for (long i = 0; i < count; i++) {
        long r = rows[i];
        out[i] = fused_distance_body(x + r * d, centres + (long)labels[r] * d, d);
    }
}

void pk_fused_nearest_portable(const float *x, long rows, long d, const float *blocks, long k,
                               int32_t *first, float *firstDistance, float *secondDistance) {
    fused_nearest_body(x, rows, d, blocks, k, first, firstDistance, secondDistance);
}

void pk_fused_block_distances_portable(const float *x, const float *block, long d, float out[8]) {
    fused_block_body(x, block, d, out);
}

float pk_fused_distance_portable(const float *a, const float *b, long d) {
    return fused_distance_body(a, b, d);
}

#if defined(__x86_64__)
#define FMA_TARGET __attribute__((target("avx2,fma")))

FMA_TARGET static void fused_nearest_fma(const float *x, long rows, long d, const float *blocks, long k,
                                         int32_t *first, float *firstDistance, float *secondDistance) {
    fused_nearest_body(x, rows, d, blocks, k, first, firstDistance, secondDistance);
}

FMA_TARGET static void fused_block_distances_fma(const float *x, const float *block, long d, float out[8]) {
    fused_block_body(x, block, d, out);
}

FMA_TARGET static float fused_distance_fma(const float *a, const float *b, long d) {
    return fused_distance_body(a, b, d);
}

FMA_TARGET static void fused_listed_block_distances_fma(const float *x, long d, const float *block, const int32_t *rows,
                                                        long count, float *out) {
    fused_listed_block_body(x, d, block, rows, count, out);
}

FMA_TARGET static void fused_own_distances_fma(const float *x, long d, const float *centres, const int32_t *labels,
                                               const int32_t *rows, long count, float *out) {
    fused_own_body(x, d, centres, labels, rows, count, out);
}

FMA_TARGET static void fused_groups_fma(const float *x, long rows, long d, const float *blocks, long k,
                                        float *least, int32_t *lane, float *other) {
    fused_groups_body(x, rows, d, blocks, k, least, lane, other);
}

static int has_fma(void) {
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif

void pk_fused_nearest(const float *x, long rows, long d, const float *blocks, long k,
                      int32_t *first, float *firstDistance, float *secondDistance) {
#if defined(__x86_64__)
    if (has_fma()) {
        fused_nearest_fma(x, rows, d, blocks, k, first, firstDistance, secondDistance);
        return;
    }
#endif
    fused_nearest_body(x, rows, d, blocks, k, first, firstDistance, secondDistance);
}

void pk_fused_block_distances(const float *x, const float *block, long d, float out[8]) {
#if defined(__x86_64__)
    if (has_fma()) {
        fused_block_distances_fma(x, block, d, out);
        return;
    }
#endif
    pk_fused_block_distances_portable(x, block, d, out);
}

float pk_fused_distance(const float *a, const float *b, long d) {
#if defined(__x86_64__)
    if (has_fma()) return fused_distance_fma(a, b, d);
#endif
    return fused_distance_body(a, b, d);
}

void pk_fused_listed_block_distances(const float *x, long d, const float *block, const int32_t *rows, long count, float *out) {
#if defined(__x86_64__)
    if (has_fma()) {
        fused_listed_block_distances_fma(x, d, block, rows, count, out);
        return;
    }
#endif
    fused_listed_block_body(x, d, block, rows, count, out);
}

void pk_fused_own_distances(const float *x, long d, const float *centres, const int32_t *labels,
                            const int32_t *rows, long count, float *out) {
#if defined(__x86_64__)
    if (has_fma()) {
        fused_own_distances_fma(x, d, centres, labels, rows, count, out);
        return;
    }
#endif
    fused_own_body(x, d, centres, labels, rows, count, out);
}

void pk_fused_groups(const float *x, long rows, long d, const float *blocks, long k,
                     float *least, int32_t *lane, float *other) {
#if defined(__x86_64__)
    if (has_fma()) {
        fused_groups_fma(x, rows, d, blocks, k, least, lane, other);
        return;
    }
#endif
    fused_groups_body(x, rows, d, blocks, k, least, lane, other);
}
