/*
 * lzgis compiled kernel, part two: the union of overlapping zones (lzgis/zonal/_union.py).
 *
 * No numpy twin: without the kernel GEOS builds the union, and tests/test_zonal_union.py checks
 * that the two agree. Compiled into the same library as _kernel.c (see _kernel_build.py), with
 * _union_cells.c (the grid, the cells inside zones, which edges the search needs).
 */
#include "_union.h"

/* ---------------------------------------------------------------------------------------------
 * lz_union: the union of polygons, from the pieces of their edges that no other polygon covers.
 *
 * A piece of polygon i's boundary lies on the union's boundary exactly when no other polygon
 * contains it. So: find where edges of different polygons cross (a uniform grid of cells keeps
 * the pairs local), count for each ring's first vertex how many other polygons contain it, and
 * walk each ring, adding one at each crossing into another polygon and taking one away at each
 * crossing out of it; the pieces walked at count 0 are the union's boundary. Each is turned so
 * the union lies on its left; linked end to start they close into the union's rings.
 *
 * Where zones pile up, most edges lie wholly inside another zone and can never border the
 * union. A cell of the grid that no edge of a zone reaches and whose centre lies inside that
 * zone lies wholly inside it; an edge all of whose cells lie inside zones is left out of the
 * search (it is still crossed by the edges that are kept) and of the walk, which starts afresh,
 * with its own count, at the first vertex of each run of kept edges. On 10,000 circles piled four
 * deep 96% of the edges are left out, and the union takes a third of the time.
 *
 * One orientation test serves every decision (which side of an edge a point lies on), so the
 * crossings and the counts agree. Anything that test cannot settle (a vertex on another
 * polygon's edge, edges along one line, three boundaries through one point) returns
 * LZ_UNION_DEGENERATE and the caller uses GEOS; so does any inconsistency found on the way.
 * Input: vertices xy (interleaved, rings closed, four vertices or more: a shorter ring gives
 * LZ_UNION_DEGENERATE), ring_start (each ring's first vertex, then the number of vertices),
 * exterior and zone of each ring (the rings of a zone consecutive); threads share the cells,
 * the searches and the counts. On success returns the number of rings
 * and sets *out_xy (interleaved, each ring closed) and *out_start (n + 1 ring offsets into the
 * vertices); free both with lz_free. *inside: the edges left out; *overlaps > 0 when zones share
 * interior.
 * ------------------------------------------------------------------------------------------ */

void lz_free(void *p) { free(p); }

static int lz_event_cmp(const void *a, const void *b) {
    const double s = ((const struct lz_event *)a)->t, t = ((const struct lz_event *)b)->t;
    return s < t ? -1 : s > t ? 1 : 0;
}

/* The slot of point (x, y) in a table of 2^bits slots holding piece + 1 by start point (sg,
   four values a piece), or 0: where that point's piece is, or the empty slot it would go in.
   The probe starts at a hash of the coordinates' bits (-0.0 as 0.0, so that points equal as
   numbers meet) and moves on one slot at a time. */
static int64_t lz_slot(const int64_t *table, int bits, const double *sg, double x, double y) {
    uint64_t a, b;
    const double hx = x + 0.0, hy = y + 0.0;
    memcpy(&a, &hx, sizeof a);
    memcpy(&b, &hy, sizeof b);
    const int64_t mask = ((int64_t)1 << bits) - 1;
    int64_t k = (int64_t)(((a ^ (b * 0x9e3779b97f4a7c15u)) * 0xbf58476d1ce4e5b9u) >> (64 - bits));
    for (; table[k]; k = (k + 1) & mask)
        if (sg[4 * (table[k] - 1)] == x && sg[4 * (table[k] - 1) + 1] == y) break;
    return k;
}

/* The first of ev[0 .. n) (sorted by edge) on edge e or after it. */
static int64_t lz_first_event(const struct lz_event *ev, int64_t n, int64_t e) {
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        if (ev[mid].edge < e) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Crossings of edges of different zones in runs (cells) lo .. hi, each found once: in the cell of the
   lower-left corner of their boxes' overlap; pairs of edges both inside other zones are skipped.
   A cell lists its edges in ring order, so those of one zone come together and are skipped
   together. */
static void *lz_crossings(void *arg) {
    struct lz_job *job = arg;
    const struct lz_ctx *x = job->ctx;
    const struct lz_grid *eg = x->eg;
    const double *xy = x->xy;
    for (int64_t run = job->lo; run < job->hi; run++) {
        const uint64_t *items = x->entry + x->run[run]; /* the cell's (cell, edge) entries */
        const int64_t c = (int64_t)(items[0] >> 32), cx = c % eg->nx, cy = c / eg->nx;
        const int64_t k = x->run[run + 1] - x->run[run];
        int64_t q0 = 0; /* the first item past item p's zone */
        for (int64_t p = 0; p + 1 < k; p++) {
            const int64_t ea = lz_edge(items[p]), ra = x->ring_of[ea], i = ea + ra;
            const int64_t after = x->zone_end[x->zone_of_ring[ra]];
            if (q0 <= p)
                for (q0 = p + 1; q0 < k && lz_edge(items[q0]) < after; q0++) {}
            const int32_t *ca = x->ecell + 4 * ea;
            const int ka = x->kept[ea];
            const double ax0 = xy[2 * i], ay0 = xy[2 * i + 1], ax1 = xy[2 * i + 2], ay1 = xy[2 * i + 3];
            for (int64_t q = q0; q < k; q++) {
                const int64_t eb = lz_edge(items[q]);
                if (!ka && !x->kept[eb]) continue;
                const int32_t *cb = x->ecell + 4 * eb;
                if ((ca[0] > cb[0] ? ca[0] : cb[0]) != cx || (ca[1] > cb[1] ? ca[1] : cb[1]) != cy)
                    continue;
                const int64_t rb = x->ring_of[eb], j = eb + rb;
                const double bx0 = xy[2 * j], by0 = xy[2 * j + 1], bx1 = xy[2 * j + 2], by1 = xy[2 * j + 3];
                if (lz_max(ax0, ax1) < lz_min(bx0, bx1) || lz_max(bx0, bx1) < lz_min(ax0, ax1) ||
                    lz_max(ay0, ay1) < lz_min(by0, by1) || lz_max(by0, by1) < lz_min(ay0, ay1))
                    continue; /* boxes apart */
                const double oa0 = lz_orient(bx0, by0, bx1, by1, ax0, ay0);
                const double oa1 = lz_orient(bx0, by0, bx1, by1, ax1, ay1);
                const double ob0 = lz_orient(ax0, ay0, ax1, ay1, bx0, by0);
                const double ob1 = lz_orient(ax0, ay0, ax1, ay1, bx1, by1);
                if (oa0 == 0.0 || oa1 == 0.0 || ob0 == 0.0 || ob1 == 0.0) {
                    /* a vertex on the other edge's line within both boxes: touching, or edges
                       along one line (an edge of no length touches nothing) */
                    if ((ax0 == ax1 && ay0 == ay1) || (bx0 == bx1 && by0 == by1)) continue;
                    job->status = LZ_UNION_DEGENERATE;
                    return NULL;
                }
                if ((oa0 > 0) == (oa1 > 0) || (ob0 > 0) == (ob1 > 0)) continue;
                const double t = oa0 / (oa0 - oa1), u = ob0 / (ob0 - ob1);
                const double px = ax0 + t * (ax1 - ax0), py = ay0 + t * (ay1 - ay0);
                struct lz_event *pa = lz_push(&job->events);
                struct lz_event *pb = pa ? lz_push(&job->events) : NULL;
                if (!pb) {
                    job->status = LZ_UNION_MEMORY;
                    return NULL;
                }
                pa = pb - 1; /* lz_push may have moved the buffer */
                /* along an edge: into the other zone when it ends on the side that zone lies on */
                *pa = (struct lz_event){t, px, py, ea, ((oa1 > 0) == (x->left[rb] != 0)) ? 1 : -1};
                *pb = (struct lz_event){u, px, py, eb, ((ob1 > 0) == (x->left[ra] != 0)) ? 1 : -1};
            }
        }
    }
    return NULL;
}

/* How many other zones hold query vertices lo .. hi (query[2q] the vertex, query[2q + 1] its
   ring): winding numbers by the same orientation test as the crossings; a zone holds a point
   inside an odd number of its rings. */
static void *lz_depths(void *arg) {
    struct lz_job *job = arg;
    const struct lz_ctx *x = job->ctx;
    const struct lz_grid *zg = x->zg;
    const double *xy = x->xy;
    for (int64_t q = job->lo; q < job->hi; q++) {
        const int64_t v = x->query[2 * q], r = x->query[2 * q + 1];
        const double px = xy[2 * v], py = xy[2 * v + 1];
        const int64_t c = lz_cell_of(zg, py, zg->y0, zg->ny) * zg->nx + lz_cell_of(zg, px, zg->x0, zg->nx);
        int64_t depth = 0;
        for (int64_t s = zg->start[c]; s < zg->start[c + 1]; s++) {
            const int64_t z = zg->items[s];
            const double *zb = x->zbox + 4 * z;
            if (z == x->zone_of_ring[r] || px < zb[0] || px > zb[2] || py < zb[1] || py > zb[3]) continue;
            int inside = 0;
            for (int64_t rr = x->zone_ring[z]; rr < x->zone_ring[z + 1]; rr++) {
                int64_t winding = 0;
                for (int64_t i = x->ring_start[rr]; i + 1 < x->ring_start[rr + 1]; i++) {
                    const double x0 = xy[2 * i], y0 = xy[2 * i + 1], x1 = xy[2 * i + 2], y1 = xy[2 * i + 3];
                    if ((y0 <= py) == (y1 <= py)) continue;
                    const double o = lz_orient(x0, y0, x1, y1, px, py);
                    if (o == 0.0) {
                        job->status = LZ_UNION_DEGENERATE; /* on the other zone's edge */
                        return NULL;
                    }
                    if (y0 <= py && o > 0) winding++;
                    else if (y0 > py && o < 0) winding--;
                }
                if (winding != 0) inside ^= 1;
            }
            depth += inside;
        }
        job->depth0[q] = depth;
    }
    return NULL;
}

/* Walk edge e (from vertex i) through its crossings ev[lo .. hi), counting the depth, and push
   the pieces walked at depth 0 to segs, turned so the union lies on their left. 0, or a code. */
static int lz_walk(const double *xy, int64_t i, const struct lz_event *ev, int64_t lo, int64_t hi,
                   int left, int64_t *depth, struct lz_buf *segs) {
    double cx = xy[2 * i], cy = xy[2 * i + 1];
    for (int64_t k = lo;; k++) {
        const int last = k >= hi;
        const double nx = last ? xy[2 * i + 2] : ev[k].x, ny = last ? xy[2 * i + 3] : ev[k].y;
        if (*depth == 0 && (nx != cx || ny != cy)) {
            double *s = lz_push(segs);
            if (!s) return LZ_UNION_MEMORY;
            if (left) {
                s[0] = cx, s[1] = cy, s[2] = nx, s[3] = ny;
            } else {
                s[0] = nx, s[1] = ny, s[2] = cx, s[3] = cy;
            }
        }
        if (last) return 0;
        *depth += ev[k].delta;
        if (*depth < 0) return LZ_UNION_INCONSISTENT;
        cx = nx, cy = ny;
    }
}

int64_t lz_union(const double *xy, const int64_t *ring_start, int64_t n_rings,
                 const uint8_t *exterior, const int64_t *zone_of_ring, int64_t n_zones,
                 int64_t threads, int64_t *overlaps, int64_t *inside, double **out_xy,
                 int64_t **out_start) {
    int64_t result = LZ_UNION_MEMORY;
    int64_t *zone_ring = NULL, *depth0 = NULL, *zone_end = NULL;
    int32_t *ring_of = NULL;
    int64_t *next = NULL, *seen = NULL, *start_out = NULL;
    int32_t *ecell = NULL, *zcell = NULL;
    uint8_t *left = NULL, *count = NULL, *kept = NULL;
    int32_t *sel = NULL;
    uint64_t *entry = NULL, *order = NULL;
    int64_t *run = NULL;
    int64_t *query = NULL, *ring_kept = NULL;
    double *zbox = NULL, *xy_out = NULL;
    struct lz_grid eg = {0}, zg = {0};
    struct lz_job jobs[LZ_MAX_THREADS] = {0};
    struct lz_buf segs = {NULL, 0, 0, 4 * sizeof(double)};
    int64_t *starts = NULL;
    struct lz_event *ev = NULL;
    *out_xy = NULL;
    *out_start = NULL;
    *overlaps = 0;
    *inside = 0;
    /* rings closed as shapely closes them, four vertices or more; anything less (an empty
       hole, which GEOS calls valid) goes to GEOS: edges are numbered on that assumption */
    for (int64_t r = 0; r < n_rings; r++)
        if (ring_start[r + 1] - ring_start[r] < 4) return LZ_UNION_DEGENERATE;

    /* rings: whether their zone lies left of their edges; zones: their rings and boxes */
    left = malloc((size_t)(n_rings > 0 ? n_rings : 1));
    zone_ring = calloc((size_t)n_zones + 1, sizeof(int64_t));
    zbox = malloc((size_t)(n_zones > 0 ? n_zones : 1) * 4 * sizeof(double));
    if (!left || !zone_ring || !zbox) goto done;
    for (int64_t z = 0; z < n_zones; z++) {
        zbox[4 * z] = zbox[4 * z + 1] = INFINITY;
        zbox[4 * z + 2] = zbox[4 * z + 3] = -INFINITY;
    }
    double length = 0.0;
    const int64_t n_edges = ring_start[n_rings] - n_rings;
    for (int64_t r = 0; r < n_rings; r++) {
        const int64_t a = ring_start[r], b = ring_start[r + 1];
        const double ox = xy[2 * a], oy = xy[2 * a + 1];
        double area2 = 0.0, x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
        for (int64_t i = a; i + 1 < b; i++) {
            const double x = xy[2 * i], y = xy[2 * i + 1], nx = xy[2 * i + 2], ny = xy[2 * i + 3];
            x0 = lz_min(x0, x), y0 = lz_min(y0, y), x1 = lz_max(x1, x), y1 = lz_max(y1, y);
            area2 += (x - ox) * (ny - oy) - (nx - ox) * (y - oy);
            length += fabs(nx - x) + fabs(ny - y);
        }
        double *zb = zbox + 4 * zone_of_ring[r];
        zb[0] = lz_min(zb[0], x0), zb[1] = lz_min(zb[1], y0);
        zb[2] = lz_max(zb[2], x1), zb[3] = lz_max(zb[3], y1);
        left[r] = exterior[r] ? area2 > 0 : area2 < 0;
        zone_ring[zone_of_ring[r] + 1] = r + 1;
    }
    double gx0 = INFINITY, gy0 = INFINITY, gx1 = -INFINITY, gy1 = -INFINITY;
    for (int64_t z = 0; z < n_zones; z++) {
        if (zone_ring[z + 1] < zone_ring[z]) zone_ring[z + 1] = zone_ring[z]; /* empty zones */
        gx0 = lz_min(gx0, zbox[4 * z]), gy0 = lz_min(gy0, zbox[4 * z + 1]);
        gx1 = lz_max(gx1, zbox[4 * z + 2]), gy1 = lz_max(gy1, zbox[4 * z + 3]);
    }
    if (n_edges <= 0) {
        result = 0;
        goto done;
    }

    /* edges (by their first vertex) in a grid of cells about an edge long (at most 4 per edge) */
    const double w = gx1 - gx0, h = gy1 - gy0;
    double size = lz_max(length / (2.0 * (double)n_edges), sqrt(w * h / (double)n_edges));
    if (!(size > 0.0)) size = lz_max(lz_max(w, h), 1.0);
    while ((w / size + 1.0) * (h / size + 1.0) > 4.0 * (double)n_edges + 1024.0) size *= 2.0;
    eg.x0 = zg.x0 = gx0;
    eg.y0 = zg.y0 = gy0;
    eg.size = size;
    eg.inv = 1.0 / size;
    eg.nx = (int64_t)(w / size) + 1;
    eg.ny = (int64_t)(h / size) + 1;
    /* each edge's ring and cells (edge e runs from vertex e + ring to the next), on threads:
       each takes a run of rings holding about as many edges */
    if (n_edges >= INT32_MAX || n_zones >= INT32_MAX || eg.nx >= INT32_MAX || eg.ny >= INT32_MAX ||
        eg.nx * eg.ny >= ((int64_t)1 << 32)) /* a cell's number goes in 32 bits */
        goto done;
    const int64_t cells = eg.nx * eg.ny;
    ring_of = malloc((size_t)n_edges * sizeof(int32_t));
    ecell = malloc((size_t)n_edges * 4 * sizeof(int32_t));
    zone_end = malloc((size_t)(n_zones > 0 ? n_zones : 1) * sizeof(int64_t));
    kept = malloc((size_t)n_edges);
    ring_kept = calloc((size_t)n_rings, sizeof(int64_t));
    count = calloc((size_t)cells, 1);
    if (!ring_of || !ecell || !zone_end || !kept || !ring_kept || !count) goto done;
    for (int64_t r = 0; r < n_rings; r++)
        zone_end[zone_of_ring[r]] = ring_start[r + 1] - (r + 1); /* past the zone's last edge */
    const int n_jobs = (int)(threads < 1 ? 1 : threads > LZ_MAX_THREADS ? LZ_MAX_THREADS : threads);
    struct lz_ctx ctx = {xy, ring_start, zone_of_ring, zone_ring, zone_end, left, kept, ring_of,
                         ecell, ring_kept, count, NULL, NULL, NULL, zbox, &eg, &zg};
    for (int t = 0; t < n_jobs; t++)
        jobs[t] = (struct lz_job){&ctx, 0, 0, {NULL, 0, 0, sizeof(struct lz_event)}, NULL, NULL, 0, 0};
    lz_split_rings(jobs, n_jobs, ring_start, n_rings);
    lz_run(lz_ecells, jobs, n_jobs);

    /* edges wholly inside another zone (every cell they reach lies inside one) never border the
       union: they are kept only to be crossed by the others, in the cells the others reach. The
       cells inside zones first, each thread on its share of the zones (unless their boxes hold
       too many cells to be worth it) */
    int prune = 1;
    double work_cells = 0.0;
    for (int64_t z = 0; z < n_zones; z++) {
        int32_t zc[4];
        lz_cells(&eg, zbox + 4 * z, zc);
        if (zc[0] >= 0 && zc[2] - zc[0] >= 2 && zc[3] - zc[1] >= 2)
            work_cells += (double)(zc[2] - zc[0] + 1) * (double)(zc[3] - zc[1] + 1);
    }
    if (work_cells > 16.0 * (double)cells + 1e6) prune = 0;
    for (int t = 0; prune && t < n_jobs; t++) {
        jobs[t].lo = n_zones * t / n_jobs;
        jobs[t].hi = n_zones * (t + 1) / n_jobs;
        jobs[t].inside = t ? calloc((size_t)cells, 1) : count;
        if (!jobs[t].inside) goto done;
    }
    if (prune) lz_run(lz_cover, jobs, n_jobs);
    for (int t = 0; prune && t < n_jobs; t++) {
        if (jobs[t].status == LZ_UNION_MEMORY) goto done;
        if (jobs[t].status) prune = 0; /* a ring that does not close */
        if (t)
            for (int64_t c = 0; c < cells; c++) count[c] |= jobs[t].inside[c];
    }
    for (int t = 0; t < n_jobs; t++) {
        if (t) free(jobs[t].inside);
        jobs[t].inside = NULL;
        jobs[t].status = 0;
    }
    if (prune) {
        lz_split_rings(jobs, n_jobs, ring_start, n_rings);
        lz_run(lz_keep, jobs, n_jobs);
        for (int t = 0; t < n_jobs; t++) *inside += jobs[t].n;
    }
    /* the edges the search needs, in order: all, or the kept ones and those that reach a cell a
       kept one reaches (count reused) */
    int64_t n_sel = n_edges;
    sel = malloc((size_t)n_edges * sizeof(int32_t));
    if (!sel) goto done;
    if (*inside == 0) {
        memset(kept, 1, (size_t)n_edges);
        for (int64_t r = 0; r < n_rings; r++) ring_kept[r] = ring_start[r + 1] - ring_start[r] - 1;
        for (int64_t e = 0; e < n_edges; e++) sel[e] = (int32_t)e;
    } else {
        memset(count, 0, (size_t)cells);
        for (int64_t e = 0; e < n_edges; e++) {
            const int32_t *b = ecell + 4 * e;
            if (kept[e])
                for (int64_t iy = b[1]; iy <= b[3]; iy++)
                    for (int64_t ix = b[0]; ix <= b[2]; ix++) count[iy * eg.nx + ix] = 1;
        }
        for (int t = 0; t < n_jobs; t++) jobs[t].events = (struct lz_buf){NULL, 0, 0, sizeof(int32_t)};
        lz_run(lz_near, jobs, n_jobs); /* the rings split as for lz_keep */
        n_sel = 0;
        for (int t = 0; t < n_jobs; t++) {
            if (jobs[t].status) goto done;
            memcpy(sel + n_sel, jobs[t].events.data, (size_t)jobs[t].events.n * sizeof(int32_t));
            n_sel += jobs[t].events.n;
            free(jobs[t].events.data);
            jobs[t].events = (struct lz_buf){NULL, 0, 0, sizeof(struct lz_event)};
        }
    }
    /* (cell, edge) for each cell an edge reaches, sorted by cell and, within one, by edge: cells
       list their edges in ring order */
    int64_t n_entries = 0;
    for (int64_t s = 0; s < n_sel; s++) {
        const int32_t *b = ecell + 4 * sel[s];
        n_entries += (int64_t)(b[2] - b[0] + 1) * (b[3] - b[1] + 1);
        if (n_entries > 16 * n_edges + 1024) goto done;
    }
    entry = malloc((size_t)(n_entries > 0 ? n_entries : 1) * sizeof(uint64_t));
    if (!entry) goto done;
    for (int64_t s = 0, k = 0; s < n_sel; s++) {
        const int32_t *b = ecell + 4 * sel[s];
        for (int64_t iy = b[1]; iy <= b[3]; iy++)
            for (int64_t ix = b[0]; ix <= b[2]; ix++)
                entry[k++] = ((uint64_t)(iy * eg.nx + ix) << 32) | (uint32_t)sel[s];
    }
    if (lz_radix(entry, n_entries, 32, 32 + lz_bits((uint64_t)cells))) goto done;
    /* the runs of one cell; crowded cells (a cluster far from the rest): GEOS */
    run = malloc((size_t)(n_entries + 1) * sizeof(int64_t));
    if (!run) goto done;
    int64_t n_runs = 0;
    double pairs = 0.0;
    for (int64_t k = 0; k < n_entries; k++) {
        if (k == 0 || (entry[k] >> 32) != (entry[k - 1] >> 32)) {
            if (n_runs) pairs += (double)(k - run[n_runs - 1]) * (double)(k - run[n_runs - 1]);
            run[n_runs++] = k;
        }
    }
    if (n_runs) pairs += (double)(n_entries - run[n_runs - 1]) * (double)(n_entries - run[n_runs - 1]);
    run[n_runs] = n_entries;
    if (pairs > 64.0 * (double)n_edges + 1e6) {
        result = LZ_UNION_DEGENERATE;
        goto done;
    }
    ctx.entry = entry;
    ctx.run = run;

    /* the crossings, on threads: each takes a run of cells holding about as many edges */
    for (int64_t t = 0, c = 0; t < n_jobs; t++) {
        jobs[t].lo = c;
        const int64_t until = n_entries * (t + 1) / n_jobs;
        while (c < n_runs && (t + 1 == n_jobs || run[c] < until)) c++;
        jobs[t].hi = c;
    }
    lz_run(lz_crossings, jobs, n_jobs);
    int64_t n_events = 0;
    for (int t = 0; t < n_jobs; t++) {
        if (jobs[t].status) {
            result = jobs[t].status;
            goto done;
        }
        n_events += jobs[t].events.n;
    }

    /* the crossings by edge (radix sort), then along each edge (insertion sort) */
    ev = malloc((size_t)(n_events > 0 ? n_events : 1) * sizeof(struct lz_event));
    order = malloc((size_t)(n_events > 0 ? n_events : 1) * sizeof(uint64_t));
    if (!ev || !order) goto done;
    for (int t = 0, k = 0; t < n_jobs; t++) {
        const struct lz_event *found = jobs[t].events.data;
        for (int64_t j = 0; j < jobs[t].events.n; j++, k++) {
            ev[k] = found[j];
            order[k] = ((uint64_t)found[j].edge << 32) | (uint64_t)k;
        }
    }
    if (lz_radix(order, n_events, 32, 32 + lz_bits((uint64_t)n_edges))) goto done;
    {
        struct lz_event *sorted = malloc((size_t)(n_events > 0 ? n_events : 1) * sizeof(struct lz_event));
        if (!sorted) goto done;
        for (int64_t k = 0; k < n_events; k++) sorted[k] = ev[order[k] & 0xffffffffu];
        free(ev);
        ev = sorted;
    }
    for (int64_t lo = 0, hi = 0; lo < n_events; lo = hi) {
        for (hi = lo + 1; hi < n_events && ev[hi].edge == ev[lo].edge; hi++) {}
        if (hi - lo > 16) { /* a long edge across many others */
            qsort(ev + lo, (size_t)(hi - lo), sizeof(struct lz_event), lz_event_cmp);
        } else {
            for (int64_t k = lo + 1; k < hi; k++) {
                const struct lz_event item = ev[k];
                int64_t j = k;
                for (; j > lo && ev[j - 1].t > item.t; j--) ev[j] = ev[j - 1];
                ev[j] = item;
            }
        }
        for (int64_t k = lo + 1; k < hi; k++)
            if (!(ev[k].t > ev[k - 1].t)) {
                result = LZ_UNION_DEGENERATE; /* two crossings at one point of an edge */
                goto done;
            }
    }

    /* where the walks start: each ring's first vertex, or in a ring with edges inside other
       zones, the first vertex of each run of kept edges */
    int64_t n_query = 0;
    for (int64_t r = 0; r < n_rings; r++) {
        const int64_t e0 = ring_start[r] - r, m = ring_start[r + 1] - ring_start[r] - 1;
        if (ring_kept[r] == m) n_query++;
        else
            for (int64_t j = 0; j < m; j++) n_query += kept[e0 + j] && !kept[e0 + (j + m - 1) % m];
    }
    query = malloc((size_t)(n_query > 0 ? n_query : 1) * 2 * sizeof(int64_t));
    if (!query) goto done;
    for (int64_t r = 0, q = 0; r < n_rings; r++) {
        const int64_t e0 = ring_start[r] - r, m = ring_start[r + 1] - ring_start[r] - 1;
        for (int64_t j = 0; j < m; j++)
            if (ring_kept[r] == m ? j == 0 : kept[e0 + j] && !kept[e0 + (j + m - 1) % m]) {
                query[2 * q] = ring_start[r] + j;
                query[2 * q + 1] = r;
                q++;
            }
    }
    ctx.query = query;

    /* how many other zones hold each start: winding numbers by the same orientation test as
       the crossings; a zone holds a point inside an odd number of its rings */
    zg.size = lz_max(size, sqrt(w * h / (double)(n_zones > 0 ? n_zones : 1)));
    while ((w / zg.size + 1.0) * (h / zg.size + 1.0) > 4.0 * (double)n_zones + 1024.0) zg.size *= 2.0;
    zg.inv = 1.0 / zg.size;
    zg.nx = (int64_t)(w / zg.size) + 1;
    zg.ny = (int64_t)(h / zg.size) + 1;
    zcell = malloc((size_t)(n_zones > 0 ? n_zones : 1) * 4 * sizeof(int32_t));
    depth0 = calloc((size_t)(n_query > 0 ? n_query : 1), sizeof(int64_t));
    if (!zcell || !depth0) goto done;
    for (int64_t z = 0; z < n_zones; z++) lz_cells(&zg, zbox + 4 * z, zcell + 4 * z);
    if (lz_grid_fill(&zg, zcell, n_zones, 64 * n_zones + 4 * zg.nx * zg.ny + 1024)) goto done;
    /* the vertices the depth counts will test; past a bound (many large zones on each other):
       GEOS. Counted first, so the answer never depends on the threads. */
    int64_t work = 0;
    for (int64_t q = 0; q < n_query && work <= 64 * n_edges + 1000000; q++) {
        const double px = xy[2 * query[2 * q]], py = xy[2 * query[2 * q] + 1];
        const int64_t c = lz_cell_of(&zg, py, zg.y0, zg.ny) * zg.nx + lz_cell_of(&zg, px, zg.x0, zg.nx);
        for (int64_t s = zg.start[c]; s < zg.start[c + 1]; s++) {
            const int64_t z = zg.items[s];
            const double *zb = zbox + 4 * z;
            if (z == zone_of_ring[query[2 * q + 1]] || px < zb[0] || px > zb[2] || py < zb[1] || py > zb[3])
                continue;
            work += ring_start[zone_ring[z + 1]] - ring_start[zone_ring[z]];
        }
    }
    if (work > 64 * n_edges + 1000000) {
        result = LZ_UNION_DEGENERATE;
        goto done;
    }
    for (int t = 0; t < n_jobs; t++) {
        jobs[t].lo = n_query * t / n_jobs;
        jobs[t].hi = n_query * (t + 1) / n_jobs;
        jobs[t].depth0 = depth0;
    }
    lz_run(lz_depths, jobs, n_jobs);
    for (int t = 0; t < n_jobs; t++)
        if (jobs[t].status) {
            result = jobs[t].status;
            goto done;
        }
    for (int64_t q = 0; q < n_query; q++) *overlaps += depth0[q];
    *overlaps += n_events + *inside;

    /* walk the rings from each start: the pieces at depth 0, turned so the union lies on their
       left. A whole ring ends at the depth it started with; a run of kept edges ends where an
       edge inside another zone begins, at depth 1 or more. */
    for (int64_t q = 0; q < n_query; q++) {
        const int64_t r = query[2 * q + 1], e0 = ring_start[r] - r;
        const int64_t m = ring_start[r + 1] - ring_start[r] - 1, whole = ring_kept[r] == m;
        int64_t depth = depth0[q], k = -1; /* k: the next crossing, along the edges in order */
        for (int64_t j = query[2 * q] - ring_start[r], n = 0; n < m && kept[e0 + j]; j = (j + 1) % m, n++) {
            const int64_t e = e0 + j, i = ring_start[r] + j;
            if (k < 0 || (k > 0 && ev[k - 1].edge >= e) || (k < n_events && ev[k].edge < e))
                k = lz_first_event(ev, n_events, e); /* a walk's first edge, or round the ring */
            int64_t hi = k;
            while (hi < n_events && ev[hi].edge == e) hi++;
            const int status = lz_walk(xy, i, ev, k, hi, left[r], &depth, &segs);
            k = hi;
            if (status) {
                result = status;
                goto done;
            }
        }
        if (whole ? depth != depth0[q] : depth < 1) {
            result = LZ_UNION_INCONSISTENT;
            goto done;
        }
    }

    /* link the pieces end to start into rings: every point starts one piece and ends one (a
       hash table of the starts, at least twice as many slots as pieces, probed in turn) */
    const int64_t n = segs.n;
    const double *sg = segs.data;
    int bits = 1;
    while (bits < 48 && ((int64_t)1 << bits) < 2 * n) bits++; /* n is far below 2^47 */
    starts = calloc((size_t)1 << bits, sizeof(int64_t)); /* piece + 1 starting at the point, or 0 */
    next = malloc((size_t)(n > 0 ? n : 1) * sizeof(int64_t));
    seen = calloc((size_t)(n > 0 ? n : 1), sizeof(int64_t));
    xy_out = malloc((size_t)(2 * n + 2) * 2 * sizeof(double));
    start_out = malloc((size_t)(n + 1) * sizeof(int64_t));
    if (!starts || !next || !seen || !xy_out || !start_out) goto done;
    for (int64_t s = 0; s < n; s++) {
        const int64_t k = lz_slot(starts, bits, sg, sg[4 * s], sg[4 * s + 1]);
        if (starts[k]) {
            result = LZ_UNION_DEGENERATE; /* the union touches itself at a point */
            goto done;
        }
        starts[k] = s + 1;
    }
    for (int64_t s = 0; s < n; s++) {
        const int64_t hit = starts[lz_slot(starts, bits, sg, sg[4 * s + 2], sg[4 * s + 3])] - 1;
        if (hit < 0 || seen[hit]++) {
            result = LZ_UNION_INCONSISTENT;
            goto done;
        }
        next[s] = hit;
    }
    memset(seen, 0, (size_t)(n > 0 ? n : 1) * sizeof(int64_t));
    int64_t rings = 0, m = 0;
    for (int64_t s = 0; s < n; s++) {
        if (seen[s]) continue;
        start_out[rings++] = m;
        int64_t c = s;
        do {
            seen[c] = 1;
            xy_out[2 * m] = sg[4 * c], xy_out[2 * m + 1] = sg[4 * c + 1];
            m++;
            c = next[c];
        } while (c != s);
        xy_out[2 * m] = sg[4 * s], xy_out[2 * m + 1] = sg[4 * s + 1];
        m++;
    }
    start_out[rings] = m;
    *out_xy = xy_out;
    *out_start = start_out;
    xy_out = NULL;
    start_out = NULL;
    result = rings;

done:
    free(left), free(zone_ring), free(zbox), free(depth0), free(ring_of), free(zone_end);
    free(next), free(seen), free(start_out), free(xy_out), free(ecell), free(zcell);
    free(starts), free(ev), free(zg.start), free(zg.items);
    free(count), free(kept), free(sel), free(query), free(ring_kept), free(entry), free(order);
    free(run);
    free(segs.data);
    for (int t = 0; t < LZ_MAX_THREADS; t++) {
        free(jobs[t].events.data);
        if (t && jobs[t].inside != count) free(jobs[t].inside);
    }
    return result;
}
