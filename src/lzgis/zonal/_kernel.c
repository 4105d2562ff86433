/*
 * lzgis compiled kernel: the inner loops of lzgis/zonal/_geom.py in C.
 *
 * lz_integrate   = _geom.integrate(_geom.row_pieces(...)) for a batch of edges
 * lz_prefix1     = _geom.prefix1
 * lz_prefix1_pair = _geom.prefix1_pair
 * (_union.c, compiled into the same library, builds the union of overlapping zones)
 *
 * Every floating-point expression is the numpy code's, in the same order, and
 * the per-zone sums are added in the same order as np.bincount adds them, so
 * the results are the same bits (tests/test_zonal_kernel.py checks it). Build
 * without FMA contraction or fast-math (-ffp-contract=off, see _kernel_build.py).
 * Plain C, no Python API: loaded with ctypes, which releases the GIL during
 * each call.
 */
#include <math.h>
#include <stdint.h>

#define LZ_FULL 0 /* layer true in every cell: F[j] = j */
#define LZ_I32 1  /* int32 prefix sums of one layer */
#define LZ_PAIR 2 /* int64 prefix sums of two layers, low and high 32 bits */

/* np.maximum / np.minimum for numbers that are never NaN */
static inline double lz_max(double a, double b) { return a >= b ? a : b; }
static inline double lz_min(double a, double b) { return a <= b ? a : b; }

/* Mean of F over [.., ..] of one piece, as _geom.integrate computes it. */
struct piece {
    int64_t ja, jb, whole;
    double t1, span1, span3, right, length, wf;
    int odd, multi;
};

static inline double lz_mean(const struct piece *p, double fa0, double fa1, double ks, double fb0,
                             double fb1, double fw) {
    double mean = fa0 + (fa1 - fa0) * p->t1;
    if (p->odd) {
        const double middle = ks * 0.5 + p->span3 * (fb0 + (fb1 - fb0) * p->span3 * 0.5);
        const double integral = p->span1 * mean + (p->multi ? middle : 0.0) + fw * p->right;
        mean = integral / p->length;
    }
    return mean;
}

/*
 * Per-zone ∮ F dy × cell area of edges idx[0..n_idx) inside rows [lo, hi) of a
 * window whose first row and column are r0 and c0 and which is w columns wide.
 * Layer l is kinds[l] with prefix sums arrays[l] (rows × (w + 1)); its sums are
 * added to outs[...] (one array of n_zones doubles per layer, two for a pair).
 * cell_area: one value (varies = 0) or one per row of the window.
 */
int lz_integrate(const double *x0, const double *y0, const double *x1, const double *y1,
                 const int64_t *zone, const int64_t *idx, int64_t n_idx, double lo, double hi,
                 int64_t r0, int64_t c0, int64_t w, const double *cell_area, int64_t varies,
                 double sign, int64_t n_layers, const int32_t *kinds, void *const *arrays,
                 double *const *outs) {
    const double wf = (double)w;
    const int64_t stride = w + 1;
    const double row_base = 1.0 + (double)r0;
    const double c0f = (double)c0;
    const double constant_area = cell_area[0] * sign;
    for (int64_t i = 0; i < n_idx; i++) {
        const int64_t e = idx[i];
        const double ex0 = x0[e] - c0f, ey0 = y0[e];
        const double dy = y1[e] - y0[e], edx = x1[e] - x0[e];
        const double yl = lz_max(lz_min(y0[e], y1[e]), lo);
        const double yh = lz_min(lz_max(y0[e], y1[e]), hi);
        const double kmin = floor(yl) + 1.0;
        const int64_t count = (int64_t)lz_max(ceil(yh) - kmin, 0.0) + 1;
        const int64_t z = zone[e];
        for (int64_t k = 0; k < count; k++) {
            /* the piece between row lines kb - 1 and kb (row_pieces) */
            const double kb = kmin + (double)k;
            const double ys = lz_max(kb - 1.0, yl), ye = lz_min(kb, yh);
            const double xs = ex0 + (ys - ey0) / dy * edx;
            const double xe = ex0 + (ye - ey0) / dy * edx;
            const double step = ye - ys;
            const double pdy = dy > 0 ? step : -step;
            const int64_t row = (int64_t)(kb - row_base);
            const double xl = lz_min(xs, xe), xr = lz_max(xs, xe);
            /* where it lies in the window (integrate) */
            struct piece p;
            const double a = lz_min(lz_max(xl, 0.0), wf), b = lz_min(lz_max(xr, 0.0), wf);
            p.ja = (int64_t)a;
            p.jb = (int64_t)b;
            if (p.ja > w - 1) p.ja = w - 1;
            if (p.jb > w - 1) p.jb = w - 1;
            const double end1 = lz_min((double)p.ja + 1.0, b);
            p.t1 = (a + end1) * 0.5 - (double)p.ja;
            p.odd = (p.ja < p.jb) || (((xl < 0.0) || (xr > wf)) && (xr > xl));
            p.multi = p.ja < p.jb;
            p.span1 = p.span3 = p.right = p.length = 0.0;
            p.whole = 0;
            if (p.odd) {
                p.span1 = end1 - a;
                p.span3 = p.multi ? b - (double)p.jb : 0.0;
                p.right = lz_max(xr - lz_max(xl, wf), 0.0);
                p.length = lz_max(lz_min(xr, 0.0) - xl, 0.0) + p.span1 +
                           (p.multi ? (double)(p.jb - p.ja) - 1.0 : 0.0) + p.span3 + p.right;
                p.whole = p.jb - p.ja - 1 > 0 ? p.jb - p.ja - 1 : 0;
            }
            const double weight = pdy * (varies ? cell_area[row] * sign : constant_area);
            const int64_t ja = p.ja, jb = p.jb;
            int out = 0;
            for (int64_t l = 0; l < n_layers; l++) {
                if (kinds[l] == LZ_FULL) {
                    const double fa0 = (double)ja, fb0 = (double)jb;
                    const double ks =
                        p.whole > 0 ? fb0 * fb0 - ((double)ja + 1.0) * ((double)ja + 1.0) : 0.0;
                    outs[out++][z] += weight * lz_mean(&p, fa0, fa0 + 1.0, ks, fb0, fb0 + 1.0, wf);
                } else if (kinds[l] == LZ_I32) {
                    const int32_t *f = (const int32_t *)arrays[l] + row * stride;
                    int64_t ks = 0;
                    if (p.odd)
                        for (int64_t m = ja + 1; m < ja + 1 + p.whole; m++)
                            ks += (int64_t)f[m] + (int64_t)f[m + 1];
                    outs[out++][z] += weight * lz_mean(&p, (double)f[ja], (double)f[ja + 1],
                                                       (double)ks, (double)f[jb],
                                                       (double)f[jb + 1], (double)f[w]);
                } else {
                    /* F is non-decreasing in each half: sums of packed values are packed sums */
                    const int64_t *f = (const int64_t *)arrays[l] + row * stride;
                    int64_t ks = 0;
                    if (p.odd)
                        for (int64_t m = ja + 1; m < ja + 1 + p.whole; m++) ks += f[m] + f[m + 1];
                    const int64_t va0 = f[ja], va1 = f[ja + 1], vb0 = f[jb], vb1 = f[jb + 1];
                    const int64_t vw = f[w];
                    outs[out++][z] +=
                        weight * lz_mean(&p, (double)(va0 & 0xFFFFFFFF), (double)(va1 & 0xFFFFFFFF),
                                         (double)(ks & 0xFFFFFFFF), (double)(vb0 & 0xFFFFFFFF),
                                         (double)(vb1 & 0xFFFFFFFF), (double)(vw & 0xFFFFFFFF));
                    outs[out++][z] +=
                        weight * lz_mean(&p, (double)(va0 >> 32), (double)(va1 >> 32),
                                         (double)(ks >> 32), (double)(vb0 >> 32),
                                         (double)(vb1 >> 32), (double)(vw >> 32));
                }
            }
        }
    }
    return 0;
}

/* F[r, 0] = 0, F[r, j + 1] = F[r, j] + v[r, j]: row prefix sums of a 0/1 layer, int32. */
void lz_prefix1(const uint8_t *v, int64_t h, int64_t w, int32_t *out) {
    for (int64_t r = 0; r < h; r++) {
        const uint8_t *src = v + r * w;
        int32_t *dst = out + r * (w + 1);
        int32_t s = 0;
        dst[0] = 0;
        for (int64_t j = 0; j < w; j++) {
            s += src[j];
            dst[j + 1] = s;
        }
    }
}

/* lz_prefix1 of two layers packed in one int64: the first in the low 32 bits. */
void lz_prefix1_pair(const uint8_t *v, const uint8_t *u, int64_t h, int64_t w, int64_t *out) {
    for (int64_t r = 0; r < h; r++) {
        const uint8_t *a = v + r * w, *b = u + r * w;
        int64_t *dst = out + r * (w + 1);
        int64_t s = 0;
        dst[0] = 0;
        for (int64_t j = 0; j < w; j++) {
            s += (int64_t)a[j] + ((int64_t)b[j] << 32);
            dst[j + 1] = s;
        }
    }
}

/*
 * The threshold rule in one pass (_rules.Rule, kind "threshold", float data):
 * valid = x == x (not NaN) and, with a nodata value, x != nodata;
 * green = valid and x >= threshold. Comparisons in the data's own type, as
 * numpy's; no branches, so that the compiler vectorises the loops.
 */
#define LZ_THRESHOLD(name, type)                                                              \
    void name(const type *x, int64_t n, int64_t has_nodata, double nodata, double threshold,  \
              uint8_t *valid, uint8_t *green) {                                               \
        const type nd = (type)nodata, t = (type)threshold;                                    \
        if (has_nodata) {                                                                     \
            for (int64_t i = 0; i < n; i++) {                                                 \
                const type v = x[i];                                                          \
                const uint8_t ok = (uint8_t)((v == v) & (v != nd));                           \
                valid[i] = ok;                                                                \
                green[i] = (uint8_t)(ok & (v >= t));                                          \
            }                                                                                 \
        } else {                                                                              \
            for (int64_t i = 0; i < n; i++) {                                                 \
                const type v = x[i];                                                          \
                const uint8_t ok = (uint8_t)(v == v);                                         \
                valid[i] = ok;                                                                \
                green[i] = (uint8_t)(ok & (v >= t));                                          \
            }                                                                                 \
        }                                                                                     \
    }
LZ_THRESHOLD(lz_threshold_f32, float)
LZ_THRESHOLD(lz_threshold_f64, double)

/*
 * _geom.pixel_edges: the edges of rings (vertices xy, interleaved, ring_of_coord
 * non-decreasing) in the pixel frame of the inverse transform inv (a, b, c, d, e, f),
 * each ring turned to run counter-clockwise (exterior[r] = 1) or clockwise (holes)
 * by the sign of its area relative to its first vertex; zone[edge] = zone_of_ring[r];
 * bounds (n_zones x 4, NaN) get each zone's pixel xmin, ymin, xmax, ymax.
 * Returns the number of edges written (at most n_coords - 1).
 */
int64_t lz_edges(const double *xy, const int64_t *ring_of_coord, int64_t n_coords,
                 const uint8_t *exterior, const int64_t *zone_of_ring, const double *inv,
                 double *x0, double *y0, double *x1, double *y1, int64_t *zone, double *bounds) {
    int64_t n_edges = 0;
    int64_t start = 0;
    while (start < n_coords) {
        const int64_t r = ring_of_coord[start];
        int64_t end = start + 1;
        while (end < n_coords && ring_of_coord[end] == r) end++;
        /* twice the ring's signed area, relative to its first vertex */
        const double ox = xy[2 * start], oy = xy[2 * start + 1];
        double area2 = 0.0;
        for (int64_t i = start; i + 1 < end; i++) {
            const double ax = xy[2 * i] - ox, ay = xy[2 * i + 1] - oy;
            const double bx = xy[2 * i + 2] - ox, by = xy[2 * i + 3] - oy;
            area2 += ax * by - bx * ay;
        }
        const int flip = exterior[r] ? area2 < 0 : area2 > 0;
        const int64_t z = zone_of_ring[r];
        double *bz = bounds + 4 * z;
        double px_prev = 0.0, py_prev = 0.0;
        for (int64_t i = start; i < end; i++) {
            const double px = inv[0] * xy[2 * i] + inv[1] * xy[2 * i + 1] + inv[2];
            const double py = inv[3] * xy[2 * i] + inv[4] * xy[2 * i + 1] + inv[5];
            if (!(bz[0] <= px)) bz[0] = px; /* NaN at first: taken */
            if (!(bz[1] <= py)) bz[1] = py;
            if (!(bz[2] >= px)) bz[2] = px;
            if (!(bz[3] >= py)) bz[3] = py;
            if (i > start) {
                x0[n_edges] = flip ? px : px_prev;
                y0[n_edges] = flip ? py : py_prev;
                x1[n_edges] = flip ? px_prev : px;
                y1[n_edges] = flip ? py_prev : py;
                zone[n_edges] = z;
                n_edges++;
            }
            px_prev = px;
            py_prev = py;
        }
        start = end;
    }
    return n_edges;
}
