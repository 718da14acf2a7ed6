#ifndef PERSONA_KERNELS_H
#define PERSONA_KERNELS_H

#include <stdint.h>

/// Squared Euclidean distances from rows to centres, in exactly the order of PersonaKit's
/// `DistanceKernel` (see DistanceKernels.c), so every result is bit-identical to it; the
/// only difference is speed. Centres come in PersonaKit's `CentreTable` block layout:
/// blocks of eight centres, value j of centre 8·b + i at (b·d + j)·8 + i, padding lanes zero.

/// For each of `rows` consecutive rows of `x` (row-major, width `d`): the nearest of the `k`
/// centres (ties to the lower index) and its squared distance, and the second nearest and
/// its squared distance (-1 and +infinity when k = 1; among equal distances the lower
/// index). `second` and `secondDistance` may be NULL.
void pk_nearest_two(const float *x, long rows, long d, const float *blocks, long k,
                    int32_t *first, float *firstDistance, int32_t *second, float *secondDistance);

/// The squared distances from one row to the eight centres of one block.
void pk_block_distances(const float *x, const float *block, long d, float out[8]);

/// For each i < count: the squared distances from row rows[i] of `x` (width `d`) to the eight
/// centres of `block`, in out[8i] … out[8i + 7]; lane for lane those of `pk_block_distances`.
void pk_listed_block_distances(const float *x, long d, const float *block, const int32_t *rows, long count, float *out);

/// For a block holding four centres twice (lanes i and i + 4 alike): the squared distances
/// from row `x` in lanes 0–3 and from row `y` in lanes 4–7.
void pk_paired_block_distances(const float *x, const float *y, const float *block, long d, float out[8]);

/// Adds each of `rows` consecutive rows of `x` (width `d`) whose cluster `labels[r]` is
/// marked in `include` to that cluster's sums (k × d, `sums[c·d + j] += w_r · x_rj`, in
/// `double`, in row order; without weights `+= x_rj`) and its weight (`+= w_r`, or 1).
void pk_sum_rows(const float *x, long rows, long d, const int32_t *labels, const _Bool *include,
                 const double *weights, double *sums, double *clusterWeights);

/// The instruction set the kernels use on this machine: 1 for AVX, 0 for the portable code.
int pk_vector_level(void);

/// `pk_nearest_two` and `pk_block_distances` without AVX, whatever the machine (for tests
/// that compare the two code paths).
void pk_nearest_two_portable(const float *x, long rows, long d, const float *blocks, long k,
                             int32_t *first, float *firstDistance, int32_t *second, float *secondDistance);
void pk_block_distances_portable(const float *x, const float *block, long d, float out[8]);
void pk_paired_block_distances_portable(const float *x, const float *y, const float *block, long d, float out[8]);


/// The fused kernel of the k-means iterations (see DistanceKernels.c): ‖x − c‖² in the order
/// above with one fused multiply–add per dimension where the exact kernel multiplies and adds,
/// the same bits on every machine. Not the exact kernel's bits: only the iterations use it.

/// For each of `rows` consecutive rows of `x`: the nearest of the `k` centres of `blocks`
/// (the layout above; ties to the lower index), its fused squared distance, and the smallest
/// fused squared distance to any other centre (+infinity when k = 1; may be NULL).
void pk_fused_nearest(const float *x, long rows, long d, const float *blocks, long k,
                      int32_t *first, float *firstDistance, float *secondDistance);

/// The fused squared distances from one row to the eight centres of one block.
void pk_fused_block_distances(const float *x, const float *block, long d, float out[8]);

/// The fused squared distance between two rows of width `d`; bit-identical to the lane of
/// `pk_fused_block_distances` for the same centre.
float pk_fused_distance(const float *a, const float *b, long d);

/// For each i < count: the fused squared distances from row rows[i] of `x` (width `d`) to the
/// eight centres of `block`, in out[8i] … out[8i + 7]; lane for lane those of
/// `pk_fused_block_distances`.
void pk_fused_listed_block_distances(const float *x, long d, const float *block, const int32_t *rows, long count, float *out);

/// For each i < count: the fused squared distance from row r = rows[i] of `x` to its centre,
/// row labels[r] of `centres` (k × d, row-major), in out[i]; the bits of `pk_fused_distance`.
void pk_fused_own_distances(const float *x, long d, const float *centres, const int32_t *labels,
                            const int32_t *rows, long count, float *out);

/// For each of `rows` consecutive rows of `x`, per block of eight of the `k` centres of
/// `blocks` (lanes from k on ignored): the smallest fused squared distance, its lane (the
/// lowest among equal distances) and the smallest distance of the block's other lanes, at
/// [row × groups + block] of `least`, `lane` and `other` (groups = ⌈k / 8⌉). Each distance
/// has the bits of `pk_fused_block_distances`.
void pk_fused_groups(const float *x, long rows, long d, const float *blocks, long k,
                     float *least, int32_t *lane, float *other);

/// The fused kernels without AVX2 + FMA, whatever the machine (for tests).
void pk_fused_nearest_portable(const float *x, long rows, long d, const float *blocks, long k,
                               int32_t *first, float *firstDistance, float *secondDistance);
void pk_fused_block_distances_portable(const float *x, const float *block, long d, float out[8]);
float pk_fused_distance_portable(const float *a, const float *b, long d);

#endif
