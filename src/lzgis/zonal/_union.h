/*
 * lzgis compiled kernel, the union (lzgis/zonal/_union.c, _union_cells.c): what both files share.
 */
#ifndef LZGIS_UNION_H
#define LZGIS_UNION_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LZ_MAX_THREADS 16
#if !defined(_WIN32) && !defined(LZ_NO_THREADS)
#define LZ_THREADS
#include <pthread.h>
#endif

static inline double lz_max(double a, double b) { return a >= b ? a : b; }
static inline double lz_min(double a, double b) { return a <= b ? a : b; }

#define LZ_UNION_DEGENERATE (-1)
#define LZ_UNION_INCONSISTENT (-2)
#define LZ_UNION_MEMORY (-3)

/* > 0: r lies left of p -> q; < 0: right; 0: on the line (as far as doubles tell) */
static inline double lz_orient(double px, double py, double qx, double qy, double rx, double ry) {
    return (qx - px) * (ry - py) - (qy - py) * (rx - px);
}

/* Boxes in a uniform grid: cell c holds items[start[c] .. start[c + 1]). */
struct lz_grid {
    double x0, y0, size, inv; /* inv = 1 / size */
    int64_t nx, ny;
    int64_t *start;
    int32_t *items;
};

static inline int64_t lz_cell_of(const struct lz_grid *g, double v, double origin, int64_t n) {
    const double k = (v - origin) * g->inv;
    if (!(k >= 0.0)) return 0;
    if (k >= (double)(n - 1)) return n - 1;
    return (int64_t)k;
}

/* The cells of box b (xmin, ymin, xmax, ymax) in g, as lz_grid_fill takes them. */
static inline void lz_cells(const struct lz_grid *g, const double *b, int32_t *out) {
    if (!(b[0] <= b[2] && b[1] <= b[3])) { /* no box (an empty zone) */
        out[0] = -1;
        return;
    }
    out[0] = (int32_t)lz_cell_of(g, b[0], g->x0, g->nx);
    out[1] = (int32_t)lz_cell_of(g, b[1], g->y0, g->ny);
    out[2] = (int32_t)lz_cell_of(g, b[2], g->x0, g->nx);
    out[3] = (int32_t)lz_cell_of(g, b[3], g->y0, g->ny);
}

struct lz_event {
    double t, x, y;
    int64_t edge;
    int delta;
};

struct lz_buf {
    void *data;
    int64_t n, cap;
    size_t size;
};

/* What the searches share: the rings, their zones, and the grids of edges and zones. */
struct lz_ctx {
    const double *xy;
    const int64_t *ring_start, *zone_of_ring, *zone_ring, *zone_end;
    const uint8_t *left;
    uint8_t *kept;              /* edges not wholly inside another zone */
    int32_t *ring_of, *ecell;   /* each edge's ring and cells in eg */
    int64_t *ring_kept;         /* each ring's kept edges */
    uint8_t *inside;            /* cells of eg wholly inside some zone (0 or 1) */
    const int64_t *query; /* the vertices whose depth is counted, and their rings */
    const uint64_t *entry; /* the search's (cell << 32 | edge), by cell, in ring order within one */
    const int64_t *run;    /* where each cell's run starts in entry, then their count */
    const double *zbox;
    const struct lz_grid *eg, *zg;
};

/* One thread's share of a step: rings, zones, cells or queries lo .. hi. */
struct lz_job {
    const struct lz_ctx *ctx;
    int64_t lo, hi;
    struct lz_buf events; /* crossings found */
    int64_t *depth0;      /* depths, filled for queries lo .. hi */
    uint8_t *inside;      /* lz_cover: this job's cells inside its zones */
    int64_t n;            /* lz_keep: edges inside other zones */
    int status;           /* 0, or LZ_UNION_DEGENERATE / LZ_UNION_MEMORY; lz_cover: 1 to give up */
};

/* Room in b for at least k more items (its capacity doubled from 1024 until they fit); 0
   without memory. */
static inline int lz_room(struct lz_buf *b, int64_t k) {
    int64_t cap = b->cap ? b->cap : 1024;
    while (cap < b->n + k) cap *= 2;
    void *grown = realloc(b->data, (size_t)cap * b->size);
    if (!grown) return 0;
    b->data = grown;
    b->cap = cap;
    return 1;
}

/* Room for one more item at the end of b (grown by doubling), or NULL without memory. */
static inline void *lz_push(struct lz_buf *b) {
    if (b->n == b->cap && !lz_room(b, 1)) return NULL;
    return (char *)b->data + (size_t)(b->n++) * b->size;
}

/* The edge of a (cell << 32 | edge) entry. */
static inline int64_t lz_edge(uint64_t entry) { return (int64_t)(entry & 0xffffffffu); }

/* _union_cells.c */
int lz_grid_fill(struct lz_grid *g, const int32_t *cell, int64_t n, int64_t cap);
int lz_bits(uint64_t n);
int lz_radix(uint64_t *a, int64_t n, int lo, int hi);
void *lz_ecells(void *arg);
void *lz_cover(void *arg);
void *lz_keep(void *arg);
void *lz_near(void *arg);
void lz_split_rings(struct lz_job *jobs, int n, const int64_t *ring_start, int64_t n_rings);
void lz_run(void *(*fn)(void *), struct lz_job *jobs, int n);

#endif
