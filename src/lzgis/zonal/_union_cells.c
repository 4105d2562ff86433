/*
 * lzgis compiled kernel, the union's cells (see _union.c): the grid, the cells wholly inside zones,
 * which edges the search needs, radix sorting, and running jobs on threads.
 */
#include "_union.h"

/* Fill g with n items covering the cells cell[4i] .. cell[4i+2] (x) and cell[4i+1] .. cell[4i+3]
   (y); an item with cell[4i] < 0 covers none. 0, or -1 when more than cap entries or no memory. */
int lz_grid_fill(struct lz_grid *g, const int32_t *cell, int64_t n, int64_t cap) {
    const int64_t cells = g->nx * g->ny;
    g->start = calloc((size_t)cells + 1, sizeof(int64_t));
    if (!g->start) return -1;
    int64_t total = 0;
    for (int64_t i = 0; i < n; i++) {
        const int32_t *b = cell + 4 * i;
        if (b[0] < 0) continue;
        total += (int64_t)(b[2] - b[0] + 1) * (b[3] - b[1] + 1);
        if (total > cap) return -1;
        for (int64_t iy = b[1]; iy <= b[3]; iy++)
            for (int64_t ix = b[0]; ix <= b[2]; ix++) g->start[iy * g->nx + ix + 1]++;
    }
    for (int64_t c = 0; c < cells; c++) g->start[c + 1] += g->start[c];
    g->items = malloc((size_t)(total > 0 ? total : 1) * sizeof(int32_t));
    if (!g->items) return -1;
    for (int64_t i = 0; i < n; i++) {
        const int32_t *b = cell + 4 * i;
        if (b[0] < 0) continue;
        for (int64_t iy = b[1]; iy <= b[3]; iy++)
            for (int64_t ix = b[0]; ix <= b[2]; ix++) g->items[g->start[iy * g->nx + ix]++] = (int32_t)i;
    }
    /* the fill advanced each start to the next cell's: shift back */
    for (int64_t c = cells; c > 0; c--) g->start[c] = g->start[c - 1];
    g->start[0] = 0;
    return 0;
}

void *lz_push(struct lz_buf *b) {
    if (b->n == b->cap) {
        int64_t cap = b->cap ? 2 * b->cap : 1024;
        void *grown = realloc(b->data, (size_t)cap * b->size);
        if (!grown) return NULL;
        b->data = grown;
        b->cap = cap;
    }
    return (char *)b->data + (size_t)(b->n++) * b->size;
}

/* The bits a value below n needs. */
int lz_bits(uint64_t n) {
    int b = 0;
    while (b < 64 && (n >> b) > 0) b++;
    return b;
}

/* Sort a[0 .. n) stably by bits lo .. hi of each value (least significant digit first, eleven
   bits a pass). 0, or -1 without memory. */
int lz_radix(uint64_t *a, int64_t n, int lo, int hi) {
    uint64_t *tmp = malloc((size_t)(n > 0 ? n : 1) * sizeof(uint64_t)), *from = a, *to = tmp;
    if (!tmp) return -1;
    for (int b = lo; b < hi; b += 11) {
        int64_t at[2049] = {0};
        for (int64_t i = 0; i < n; i++) at[((from[i] >> b) & 2047) + 1]++;
        for (int d = 0; d < 2048; d++) at[d + 1] += at[d];
        for (int64_t i = 0; i < n; i++) to[at[(from[i] >> b) & 2047]++] = from[i];
        uint64_t *swap = from;
        from = to, to = swap;
    }
    if (from != a) memcpy(a, from, (size_t)n * sizeof(uint64_t));
    free(tmp);
    return 0;
}

struct lz_rowx {
    int64_t row;
    double x;
};

/* Each edge's ring and cells in eg, for rings lo .. hi (edge e runs from vertex e + ring). */
void *lz_ecells(void *arg) {
    struct lz_job *job = arg;
    const struct lz_ctx *x = job->ctx;
    const double *xy = x->xy;
    for (int64_t r = job->lo; r < job->hi; r++)
        for (int64_t i = x->ring_start[r]; i + 1 < x->ring_start[r + 1]; i++) {
            const double box[4] = {lz_min(xy[2 * i], xy[2 * i + 2]), lz_min(xy[2 * i + 1], xy[2 * i + 3]),
                                   lz_max(xy[2 * i], xy[2 * i + 2]), lz_max(xy[2 * i + 1], xy[2 * i + 3])};
            lz_cells(x->eg, box, x->ecell + 4 * (i - r));
            x->ring_of[i - r] = (int32_t)r;
        }
    return NULL;
}

/* The cells of eg wholly inside zones lo .. hi: job->inside[c] = 1. A zone holds a cell when
   none of its edges' boxes reaches the cell (so its boundary keeps out of the cell, as lz_cell_of
   draws the cells) and the cell's centre lies inside it (even-odd over its rings along the row
   through the centres). The boundary is then at least half a cell from the centre, so rounding
   cannot change the answer. Such a cell lies strictly inside the zone's box of cells, so zones
   less than three cells across hold none. status 1: a ring that does not close (prune nothing). */
void *lz_cover(void *arg) {
    struct lz_job *job = arg;
    const struct lz_ctx *x = job->ctx;
    const struct lz_grid *g = x->eg;
    const double *xy = x->xy;
    uint8_t *touched = NULL;
    int64_t room = 0;
    struct lz_buf xs = {NULL, 0, 0, sizeof(struct lz_rowx)};
    int64_t *at = NULL, at_room = 0, xv_room = 0;
    double *xv = NULL;
    int32_t zc[4];
    for (int64_t z = job->lo; z < job->hi && !job->status; z++) {
        lz_cells(g, x->zbox + 4 * z, zc);
        if (zc[0] < 0 || zc[2] - zc[0] < 2 || zc[3] - zc[1] < 2) continue;
        const int64_t bw = zc[2] - zc[0] + 1, cells = bw * (zc[3] - zc[1] + 1);
        if (cells > room) {
            free(touched);
            room = 2 * cells;
            touched = malloc((size_t)room);
            if (!touched) {
                job->status = LZ_UNION_MEMORY;
                break;
            }
        }
        memset(touched, 0, (size_t)cells);
        xs.n = 0;
        for (int64_t r = x->zone_ring[z]; r < x->zone_ring[z + 1] && !job->status; r++) {
            for (int64_t i = x->ring_start[r]; i + 1 < x->ring_start[r + 1]; i++) {
                const int32_t *b = x->ecell + 4 * (i - r);
                const double x0 = xy[2 * i], y0 = xy[2 * i + 1], x1 = xy[2 * i + 2], y1 = xy[2 * i + 3];
                for (int64_t iy = b[1]; iy <= b[3]; iy++) {
                    for (int64_t ix = b[0]; ix <= b[2]; ix++) touched[(iy - zc[1]) * bw + ix - zc[0]] = 1;
                    const double yc = g->y0 + ((double)iy + 0.5) * g->size;
                    if ((y0 <= yc) == (y1 <= yc)) continue;
                    struct lz_rowx *p = lz_push(&xs);
                    if (!p) {
                        job->status = LZ_UNION_MEMORY;
                        break;
                    }
                    *p = (struct lz_rowx){iy, x0 + (yc - y0) * (x1 - x0) / (y1 - y0)};
                }
            }
        }
        if (job->status) break;
        /* the crossings row by row (a counting sort), each row's along x: usually two */
        const struct lz_rowx *rx = xs.data;
        const int64_t bh = zc[3] - zc[1] + 1;
        if (xs.n % 2) {
            job->status = 1;
            break;
        }
        if (bh + 1 > at_room || xs.n > xv_room) {
            free(at), free(xv);
            at_room = 2 * (bh + 1), xv_room = 2 * xs.n + 64;
            at = malloc((size_t)at_room * sizeof(int64_t));
            xv = malloc((size_t)xv_room * sizeof(double));
            if (!at || !xv) {
                job->status = LZ_UNION_MEMORY;
                break;
            }
        }
        memset(at, 0, (size_t)(bh + 1) * sizeof(int64_t));
        for (int64_t k = 0; k < xs.n; k++) at[rx[k].row - zc[1] + 1]++;
        for (int64_t r = 0; r < bh; r++) at[r + 1] += at[r];
        for (int64_t k = 0; k < xs.n; k++) xv[at[rx[k].row - zc[1]]++] = rx[k].x;
        /* at[r] is now where row r + 1 starts */
        for (int64_t r = 0, lo = 0; r < bh && !job->status; lo = at[r++]) {
            const int64_t hi = at[r], iy = zc[1] + r;
            if ((hi - lo) % 2) {
                job->status = 1;
                break;
            }
            for (int64_t k = lo + 1; k < hi; k++) {
                const double item = xv[k];
                int64_t j = k;
                for (; j > lo && xv[j - 1] > item; j--) xv[j] = xv[j - 1];
                xv[j] = item;
            }
            for (int64_t k = lo; k + 1 < hi; k += 2) {
                const int64_t last = lz_cell_of(g, xv[k + 1], g->x0, g->nx);
                for (int64_t ix = lz_cell_of(g, xv[k], g->x0, g->nx); ix <= last; ix++) {
                    const double xc = g->x0 + ((double)ix + 0.5) * g->size;
                    if (xc > xv[k] && xc < xv[k + 1] && !touched[(iy - zc[1]) * bw + ix - zc[0]])
                        job->inside[iy * g->nx + ix] = 1;
                }
            }
        }
    }
    free(at), free(xv);
    free(touched), free(xs.data);
    return NULL;
}

/* Whether all (or, with all = 0, any) of the cells edge e reaches are marked in x->inside. */
static int lz_marked(const struct lz_ctx *x, int64_t e, int all) {
    const int32_t *b = x->ecell + 4 * e;
    for (int64_t iy = b[1]; iy <= b[3]; iy++)
        for (int64_t ix = b[0]; ix <= b[2]; ix++)
            if ((x->inside[iy * x->eg->nx + ix] != 0) != all) return !all;
    return all;
}

/* Which edges of rings lo .. hi are wholly inside other zones: every cell they reach is inside
   one (never their own zone, whose boundary reaches the cell). */
void *lz_keep(void *arg) {
    struct lz_job *job = arg;
    const struct lz_ctx *x = job->ctx;
    for (int64_t r = job->lo; r < job->hi; r++)
        for (int64_t e = x->ring_start[r] - r; e < x->ring_start[r + 1] - r - 1; e++) {
            const int in = lz_marked(x, e, 1);
            x->kept[e] = (uint8_t)!in;
            x->ring_kept[r] += !in;
            job->n += in;
        }
    return NULL;
}

/* The edges of rings lo .. hi the search needs (job->events, as int32): the kept ones, and those
   reaching a cell that a kept one reaches (x->inside marks those cells). */
void *lz_near(void *arg) {
    struct lz_job *job = arg;
    const struct lz_ctx *x = job->ctx;
    for (int64_t r = job->lo; r < job->hi; r++)
        for (int64_t e = x->ring_start[r] - r; e < x->ring_start[r + 1] - r - 1; e++) {
            const int near = x->kept[e] || lz_marked(x, e, 0);
            int32_t *p = near ? lz_push(&job->events) : NULL;
            if (near && !p) {
                job->status = LZ_UNION_MEMORY;
                return NULL;
            }
            if (p) *p = (int32_t)e;
        }
    return NULL;
}

/* Give jobs[0 .. n) runs of rings holding about as many vertices each (lo .. hi). */
void lz_split_rings(struct lz_job *jobs, int n, const int64_t *ring_start, int64_t n_rings) {
    for (int64_t t = 0, r = 0; t < n; t++) {
        jobs[t].lo = r;
        const int64_t until = ring_start[n_rings] * (t + 1) / n;
        while (r < n_rings && (t + 1 == n || ring_start[r] < until)) r++;
        jobs[t].hi = r;
    }
}

/* Run fn on jobs[0 .. n) side by side (one thread each beyond the first); where threads are not
   available, one after another. The jobs' results never depend on how the work was split. */
void lz_run(void *(*fn)(void *), struct lz_job *jobs, int n) {
#ifdef LZ_THREADS
    pthread_t ids[LZ_MAX_THREADS];
    int started[LZ_MAX_THREADS] = {0};
    for (int t = 1; t < n; t++) started[t] = pthread_create(&ids[t], NULL, fn, &jobs[t]) == 0;
    fn(&jobs[0]);
    for (int t = 1; t < n; t++) {
        if (started[t]) pthread_join(ids[t], NULL);
        else fn(&jobs[t]);
    }
#else
    for (int t = 0; t < n; t++) fn(&jobs[t]);
#endif
}
