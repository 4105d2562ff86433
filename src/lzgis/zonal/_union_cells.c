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

/* Each edge's ring and cells in eg, for rings lo .. hi (edge e runs from vertex e + ring): the
   box of its two vertices' cells (lz_cell_of is monotone, so these are the cells of its box). */
void *lz_ecells(void *arg) {
    struct lz_job *job = arg;
    const struct lz_ctx *x = job->ctx;
    const struct lz_grid *g = x->eg;
    const double *xy = x->xy;
    for (int64_t r = job->lo; r < job->hi; r++) {
        const int64_t a = x->ring_start[r], b = x->ring_start[r + 1];
        int32_t cx = (int32_t)lz_cell_of(g, xy[2 * a], g->x0, g->nx);
        int32_t cy = (int32_t)lz_cell_of(g, xy[2 * a + 1], g->y0, g->ny);
        for (int64_t i = a; i + 1 < b; i++) {
            const int32_t nx = (int32_t)lz_cell_of(g, xy[2 * i + 2], g->x0, g->nx);
            const int32_t ny = (int32_t)lz_cell_of(g, xy[2 * i + 3], g->y0, g->ny);
            int32_t *out = x->ecell + 4 * (i - r);
            out[0] = cx < nx ? cx : nx, out[1] = cy < ny ? cy : ny;
            out[2] = cx < nx ? nx : cx, out[3] = cy < ny ? ny : cy;
            x->ring_of[i - r] = (int32_t)r;
            cx = nx, cy = ny;
        }
    }
    return NULL;
}

/* How many rows of g have their centres at or below y (their centres rise with the row). */
static inline int64_t lz_rows_below(const struct lz_grid *g, double y) {
    const int64_t iy = lz_cell_of(g, y, g->y0, g->ny);
    return iy + (g->y0 + ((double)iy + 0.5) * g->size <= y);
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
    /* read once: a store to touched (bytes) could otherwise alias them */
    const int64_t *ring_start = x->ring_start;
    const int32_t *ecell = x->ecell;
    const double gy0 = g->y0, size = g->size;
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
            /* an edge crosses the rows whose centres lie at or below one end and above the
               other: rows h .. h' - 1 of its ends' counts of centres at or below them */
            const int64_t last = ring_start[r + 1] - 1;
            int64_t h = lz_rows_below(g, xy[2 * ring_start[r] + 1]);
            /* room for a crossing more than the ring can have (each edge writes one) */
            if (xs.n + last - ring_start[r] + 1 > xs.cap && !lz_room(&xs, last - ring_start[r] + 1)) {
                job->status = LZ_UNION_MEMORY;
                break;
            }
            struct lz_rowx *rx = xs.data;
            int64_t n = xs.n;
            for (int64_t i = ring_start[r]; i < last; i++) {
                const int32_t *b = ecell + 4 * (i - r);
                if (b[2] - b[0] <= 1 && b[3] - b[1] <= 1) { /* at most 2 x 2: its corners */
                    const int64_t low = (b[1] - zc[1]) * bw - zc[0], high = (b[3] - zc[1]) * bw - zc[0];
                    touched[low + b[0]] = touched[low + b[2]] = 1;
                    touched[high + b[0]] = touched[high + b[2]] = 1;
                } else {
                    for (int64_t iy = b[1]; iy <= b[3]; iy++)
                        for (int64_t ix = b[0]; ix <= b[2]; ix++) touched[(iy - zc[1]) * bw + ix - zc[0]] = 1;
                }
                const double x0 = xy[2 * i], y0 = xy[2 * i + 1], x1 = xy[2 * i + 2], y1 = xy[2 * i + 3];
                const int64_t next = lz_rows_below(g, y1), lo = h < next ? h : next, hi = h < next ? next : h;
                if (hi - lo <= 1) { /* none or one (most edges): written either way, kept if one */
                    const double yc = gy0 + ((double)lo + 0.5) * size;
                    rx[n] = (struct lz_rowx){lo, x0 + (yc - y0) * (x1 - x0) / (y1 - y0)};
                    n += hi - lo;
                } else {
                    xs.n = n;
                    if (xs.n + (hi - lo) + (last - i) > xs.cap && !lz_room(&xs, (hi - lo) + (last - i))) {
                        job->status = LZ_UNION_MEMORY;
                        break;
                    }
                    rx = xs.data;
                    for (int64_t iy = lo; iy < hi; iy++) {
                        const double yc = gy0 + ((double)iy + 0.5) * size;
                        rx[n++] = (struct lz_rowx){iy, x0 + (yc - y0) * (x1 - x0) / (y1 - y0)};
                    }
                }
                h = next;
            }
            xs.n = n;
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
            /* the cells whose centres lie strictly between two crossings: a centre's x grows
               with ix, so they are a run from the first past xv[k] to the last before xv[k + 1] */
            const int64_t row = (iy - zc[1]) * bw - zc[0]; /* touched[row + ix]: cell ix */
            uint8_t *row_inside = job->inside + iy * g->nx;
            for (int64_t k = lo; k + 1 < hi; k += 2) {
                int64_t ix = lz_cell_of(g, xv[k], g->x0, g->nx);
                int64_t last = lz_cell_of(g, xv[k + 1], g->x0, g->nx);
                /* a step each way, without a branch, usually finds them; the loops make sure */
                ix += !(g->x0 + ((double)ix + 0.5) * g->size > xv[k]);
                while (ix <= last && !(g->x0 + ((double)ix + 0.5) * g->size > xv[k])) ix++;
                last -= !(g->x0 + ((double)last + 0.5) * g->size < xv[k + 1]);
                while (last >= ix && !(g->x0 + ((double)last + 0.5) * g->size < xv[k + 1])) last--;
                for (; ix <= last; ix++) row_inside[ix] |= (uint8_t)!touched[row + ix];
            }
        }
    }
    free(at), free(xv);
    free(touched), free(xs.data);
    return NULL;
}

/* Whether all (or, with all = 0, any) of the cells in box b are marked in cells (nx a row). */
static inline int lz_marked(const int32_t *b, const uint8_t *cells, int64_t nx, int all) {
    if (b[2] - b[0] <= 1 && b[3] - b[1] <= 1) { /* at most 2 x 2 (most edges): its corners */
        const uint8_t *low = cells + b[1] * nx, *high = cells + b[3] * nx;
        const int c0 = low[b[0]] != 0, c1 = low[b[2]] != 0, c2 = high[b[0]] != 0, c3 = high[b[2]] != 0;
        return all ? c0 & c1 & c2 & c3 : c0 | c1 | c2 | c3; /* no branches to mispredict */
    }
    for (int64_t iy = b[1]; iy <= b[3]; iy++)
        for (int64_t ix = b[0]; ix <= b[2]; ix++)
            if ((cells[iy * nx + ix] != 0) != all) return !all;
    return all;
}

/* Which edges of rings lo .. hi are wholly inside other zones: every cell they reach is inside
   one (never their own zone, whose boundary reaches the cell). The context's arrays are read
   into locals: a store to kept (bytes) could otherwise alias them, and they are read again. */
void *lz_keep(void *arg) {
    struct lz_job *job = arg;
    const struct lz_ctx *x = job->ctx;
    const int32_t *ecell = x->ecell;
    const uint8_t *inside = x->inside;
    const int64_t *ring_start = x->ring_start, nx = x->eg->nx;
    uint8_t *kept = x->kept;
    int64_t n = 0;
    for (int64_t r = job->lo; r < job->hi; r++) {
        int64_t k = 0;
        for (int64_t e = ring_start[r] - r; e < ring_start[r + 1] - r - 1; e++) {
            const int in = lz_marked(ecell + 4 * e, inside, nx, 1);
            kept[e] = (uint8_t)!in;
            k += !in;
        }
        x->ring_kept[r] += k;
        n += ring_start[r + 1] - ring_start[r] - 1 - k;
    }
    job->n += n;
    return NULL;
}

/* The edges of rings lo .. hi the search needs (job->events, as int32): the kept ones, and those
   reaching a cell that a kept one reaches (x->inside marks those cells). */
void *lz_near(void *arg) {
    struct lz_job *job = arg;
    const struct lz_ctx *x = job->ctx;
    const int32_t *ecell = x->ecell;
    const uint8_t *inside = x->inside, *kept = x->kept;
    const int64_t *ring_start = x->ring_start, nx = x->eg->nx;
    for (int64_t r = job->lo; r < job->hi; r++)
        for (int64_t e = ring_start[r] - r; e < ring_start[r + 1] - r - 1; e++) {
            const int near = kept[e] || lz_marked(ecell + 4 * e, inside, nx, 0);
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
