#ifndef PERSONA_CLAPACK_SHIM_H
#define PERSONA_CLAPACK_SHIM_H

// Debian's liblapack-dev ships the Fortran LAPACK symbols but no C header, so the
// prototypes the core uses are declared here, gfortran style: every argument by
// pointer, 32-bit integers (LP64), and one hidden trailing length per character
// argument.

#include <stddef.h>

/// Eigenvalues and eigenvectors of a real symmetric matrix (divide and conquer).
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
             double *w, double *work, const int *lwork, int *iwork, const int *liwork,
             int *info, size_t jobz_len, size_t uplo_len);

/// Singular value decomposition of a real general matrix (divide and conquer).
void dgesdd_(const char *jobz, const int *m, const int *n, double *a, const int *lda,
             double *s, double *u, const int *ldu, double *vt, const int *ldvt,
             double *work, const int *lwork, int *iwork, int *info, size_t jobz_len);

#endif
