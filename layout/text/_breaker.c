/* _breaker: the total-fit line breaker of layout/text/linebreak.py in C (an optional accelerator).

   Reads one paragraph's Items lists (widths, flex, sep, gw, gy, gz, hw, pen, flag), the line widths
   width(0..varying-1) and width(varying), and the Params fields; produces (ends, ratios, emergency)
   exactly as linebreak.total_fit_python does: all five passes, prune.cheap_breaks' bound and
   prune.exact_cost, the same tie-breaking (node order is the insertion order of the `best` dict,
   min() and max() keep the first extreme). Bit-for-bit equality with the Python code is the
   contract: doubles throughout, every sum and product in the Python order, `x ** k` through the
   libm pow() that CPython's float ** calls (with its special cases and range errors), and no
   contraction of a*b+c into fused multiply-adds (see the pragma and setup.py's flags).

   Returns None when the input is anything the Python code might treat differently (list items
   that are not plain floats or ints, lists shorter than the paragraph, a pow() range error that
   Python raises as OverflowError, an absurd hyphen limit): the caller then runs the Python code,
   which stays the reference. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define END 3

/* Read through volatiles so the compiler cannot turn pow(x, 2.0) into x * x (not always equal). */
static volatile double TWO = 2.0;
static volatile double THREE = 3.0;

typedef struct {
    Py_ssize_t n;
    double *cw, *cf, *cgw, *cgy, *cgz; /* cumulative sums, n + 1 each */
    double *hw, *pen;                  /* n each */
    unsigned char *is_end, *flag;      /* n each */
    const double *lw;                  /* width(line) for line < varying */
    Py_ssize_t varying;
    double fixed_w, w0;
    double lp, dhd, adj;
    Py_ssize_t limit;
    int final_hyphen, fill_last;
} Para;

enum { OK = 0, NONE = 1, FALLBACK = 2, NOMEM = 3 };

/* CPython's float_pow for a positive integral exponent 2 or 3: same special cases, same libm call,
   same range check (Python raises OverflowError there; we report FALLBACK). */
static int py_pow(double iv, double iw, double *out)
{
    int odd = fmod(fabs(iw), 2.0) == 1.0, negate = 0;
    double x;
    if (isnan(iv)) { *out = iv; return OK; }
    if (isinf(iv)) { *out = odd ? iv : fabs(iv); return OK; }
    if (iv == 0.0) { *out = odd ? iv : 0.0; return OK; }
    if (iv < 0.0) { iv = -iv; negate = odd; }
    if (iv == 1.0) { *out = negate ? -1.0 : 1.0; return OK; }
    errno = 0;
    x = pow(iv, iw);
    if (errno == 0) {
        if (x == HUGE_VAL || x == -HUGE_VAL) errno = ERANGE;
    }
    else if (errno == ERANGE && x == 0.0) {
        errno = 0;
    }
    if (negate) x = -x;
    if (errno != 0) return FALLBACK;
    *out = x;
    return OK;
}

/* The adjustment ratio, as linebreak._pass computes it; *cap_out is the cap of the shrink branch
   (only read when the ratio is below -1, which only that branch gives). */
static inline double ratio(const Para *P, double L, double nat_j, Py_ssize_t j, Py_ssize_t s, int fill,
                           double *cap_out, double *need_out)
{
    double natural = nat_j - P->cw[s] - P->cgw[s];
    double need = L - natural, cap, r;
    *need_out = need;
    if (need >= 0) {
        if (fill) return 0.0;
        cap = P->cgy[j] - P->cgy[s] + P->cf[j + 1] - P->cf[s];
        r = cap > 0 ? need / cap : (need < 1e-6 ? 0.0 : INFINITY);
    }
    else {
        cap = P->cgz[j] - P->cgz[s] + P->cf[j + 1] - P->cf[s];
        r = cap > 0 ? need / cap : -INFINITY;
        *cap_out = cap;
    }
    return r;
}

static inline double nat_at(const Para *P, Py_ssize_t j, int is_last)
{
    return P->cw[j + 1] + P->cgw[j] + (is_last ? 0.0 : P->hw[j]);
}

static inline double line_width(const Para *P, Py_ssize_t line)
{
    return line >= P->varying ? P->fixed_w : P->lw[line];
}

/* ---- prune.cheap_breaks ---- */

typedef struct { Py_ssize_t a; double tot; } CNode;

static int cheap_breaks(const Para *P, double tol, Py_ssize_t **ends_out, Py_ssize_t *count_out)
{
    Py_ssize_t n = P->n, last = n - 1, na = 1, j, k, i, cnt;
    CNode *act = NULL, *nxt = NULL, *t;
    Py_ssize_t *prev = NULL, *ends = NULL;
    int st = NOMEM;
    size_t cap_nodes = (size_t)n + 2;

    act = PyMem_Malloc(cap_nodes * sizeof(CNode));
    nxt = PyMem_Malloc(cap_nodes * sizeof(CNode));
    prev = PyMem_Malloc((size_t)n * sizeof(Py_ssize_t));
    if (!act || !nxt || !prev) goto done;
    for (j = 0; j < n; j++) prev[j] = -2; /* -2: no entry (Python: not in prev) */
    act[0].a = -1;
    act[0].tot = 0.0;
    for (j = 0; j < n; j++) {
        int is_last = j == last, fill;
        double nat_j, best = INFINITY;
        Py_ssize_t best_from = -2, ns = 0;
        if (P->is_end[j] && !is_last) continue;
        fill = is_last && P->fill_last;
        nat_j = nat_at(P, j, is_last);
        for (k = 0; k < na; k++) {
            Py_ssize_t a = act[k].a;
            double tot0 = act[k].tot, cap = 0.0, need, r, b, d, pj;
            r = ratio(P, a < 0 ? P->w0 : P->fixed_w, nat_j, j, a + 1, fill, &cap, &need);
            if (r < -1.0) continue;
            nxt[ns++] = act[k];
            if (r > tol) continue;
            if (py_pow(fabs(r), THREE, &b) != OK) { st = FALLBACK; goto done; }
            b = 100.0 * b;
            b = b < 1e6 ? b : 1e6; /* min(1e6, b): the first argument unless b is smaller */
            if (py_pow(P->lp + b, TWO, &d) != OK) { st = FALLBACK; goto done; }
            pj = is_last ? 0.0 : P->pen[j];
            if (pj > 0) d += pj * pj;
            if (tot0 + d < best) {
                best = tot0 + d;
                best_from = a;
            }
        }
        if (best_from != -2) {
            nxt[ns].a = j;
            nxt[ns].tot = best;
            ns++;
            prev[j] = best_from;
        }
        t = act; act = nxt; nxt = t;
        na = ns;
        if (na == 0) { st = NONE; goto done; }
    }
    if (prev[last] == -2) { st = NONE; goto done; }
    cnt = 1;
    for (i = last; prev[i] >= 0; i = prev[i]) cnt++;
    ends = PyMem_Malloc((size_t)cnt * sizeof(Py_ssize_t));
    if (!ends) goto done;
    k = cnt - 1;
    ends[k] = last;
    for (i = last; prev[i] >= 0; i = prev[i]) ends[--k] = prev[i];
    *ends_out = ends;
    *count_out = cnt;
    st = OK;
done:
    PyMem_Free(act);
    PyMem_Free(nxt);
    PyMem_Free(prev);
    return st;
}

/* ---- prune.exact_cost ---- */

static int exact_cost(const Para *P, const Py_ssize_t *ends, Py_ssize_t cnt, double tol, int strict,
                      double *out)
{
    Py_ssize_t last = P->n - 1, a = -1, line = 0, hrun0 = 0, k;
    int fit0 = 1, flag0 = 0;
    double tot0 = 0.0;
    for (k = 0; k < cnt; k++) {
        Py_ssize_t j = ends[k], hrun;
        int is_last = j == last, f, fit;
        double cap = 0.0, need, r, b, d, pj;
        if (P->is_end[j] && !is_last) { *out = INFINITY; return OK; }
        r = ratio(P, line_width(P, line), nat_at(P, j, is_last), j, a + 1, is_last && P->fill_last, &cap,
                  &need);
        if (r < -1.0 || r > tol) { *out = INFINITY; return OK; }
        f = P->flag[j] && !is_last;
        if (is_last && flag0 && strict && !P->final_hyphen && a >= 0) { *out = INFINITY; return OK; }
        hrun = f ? hrun0 + 1 : 0;
        if (hrun > P->limit && strict) { *out = INFINITY; return OK; }
        if (py_pow(fabs(r), THREE, &b) != OK) return FALLBACK;
        b = 100.0 * b;
        b = b < 1e6 ? b : 1e6;
        if (py_pow(P->lp + b, TWO, &d) != OK) return FALLBACK;
        pj = is_last ? 0.0 : P->pen[j];
        if (pj > 0) d += pj * pj;
        if (f && flag0) d += P->dhd;
        fit = r < -0.5 ? 0 : (r <= 0.5 ? 1 : (r <= 1.0 ? 2 : 3));
        if (abs(fit - fit0) > 1) d += P->adj;
        tot0 = tot0 + d;
        a = j; line = line + 1; fit0 = fit; hrun0 = hrun; flag0 = f;
    }
    *out = tot0;
    return OK;
}

/* ---- linebreak._pass ---- */

typedef struct { Py_ssize_t a, line, hrun, nid; double tot; int fit; unsigned char f; } Node;

typedef struct {
    int kfit; Py_ssize_t khrun, kline;             /* the dict key */
    double tot; Py_ssize_t nid, line, hrun; int fit; unsigned char f; double r;
} Best;

typedef struct { Py_ssize_t *prev, *pos; double *ratio; Py_ssize_t len, cap; } Nodes;

static int nodes_push(Nodes *N, Py_ssize_t prev, Py_ssize_t pos, double r)
{
    if (N->len == N->cap) {
        Py_ssize_t nc = N->cap * 2;
        Py_ssize_t *p1 = PyMem_Realloc(N->prev, (size_t)nc * sizeof(Py_ssize_t));
        if (!p1) return NOMEM;
        N->prev = p1;
        p1 = PyMem_Realloc(N->pos, (size_t)nc * sizeof(Py_ssize_t));
        if (!p1) return NOMEM;
        N->pos = p1;
        double *p2 = PyMem_Realloc(N->ratio, (size_t)nc * sizeof(double));
        if (!p2) return NOMEM;
        N->ratio = p2;
        N->cap = nc;
    }
    N->prev[N->len] = prev;
    N->pos[N->len] = pos;
    N->ratio[N->len] = r;
    N->len++;
    return OK;
}

/* Grow a buffer to hold at least `need` elements of `size` bytes. */
static int reserve(void **buf, Py_ssize_t *cap, Py_ssize_t need, size_t size)
{
    void *p;
    Py_ssize_t nc;
    if (need <= *cap) return OK;
    nc = *cap * 2 > need ? *cap * 2 : need;
    p = PyMem_Realloc(*buf, (size_t)nc * size);
    if (!p) return NOMEM;
    *buf = p;
    *cap = nc;
    return OK;
}

static int one_pass(const Para *P, double tol, int strict, int overfull, double bound, Py_ssize_t **ends_out,
                    double **ratios_out, Py_ssize_t *count_out)
{
    Py_ssize_t n = P->n, last = n - 1, na = 1, j, k, cnt, nid, i;
    Py_ssize_t cap_act = 64, cap_nxt = 64, cap_best = 64;
    Node *act = NULL, *nxt = NULL, *t;
    Best *best = NULL;
    Nodes N = {NULL, NULL, NULL, 1, 64};
    Py_ssize_t *ends = NULL;
    double *ratios = NULL;
    int st = NOMEM;
    const Py_ssize_t limit = P->limit, varying = P->varying;

    bound = bound < INFINITY ? bound * (1 + 1e-12) + 1e-9 : INFINITY;
    act = PyMem_Malloc((size_t)cap_act * sizeof(Node));
    nxt = PyMem_Malloc((size_t)cap_nxt * sizeof(Node));
    best = PyMem_Malloc((size_t)cap_best * sizeof(Best));
    N.prev = PyMem_Malloc(64 * sizeof(Py_ssize_t));
    N.pos = PyMem_Malloc(64 * sizeof(Py_ssize_t));
    N.ratio = PyMem_Malloc(64 * sizeof(double));
    if (!act || !nxt || !best || !N.prev || !N.pos || !N.ratio) goto done;
    N.prev[0] = -1;
    N.pos[0] = -1;
    N.ratio[0] = 0.0;
    act[0] = (Node){-1, 0, 0, 0, 0.0, 1, 0};
    for (j = 0; j < n; j++) {
        int is_last = j == last, fill, have_retired = 0;
        Py_ssize_t ns = 0, nb = 0;
        Node ret_node = act[0];
        double ret_over = 0.0, nat_j;
        if (P->is_end[j] && !is_last) continue;
        fill = is_last && P->fill_last;
        nat_j = nat_at(P, j, is_last);
        if (reserve((void **)&nxt, &cap_nxt, 2 * na + 1, sizeof(Node)) != OK) goto done;
        if (reserve((void **)&best, &cap_best, na + 1, sizeof(Best)) != OK) goto done;
        for (k = 0; k < na; k++) {
            const Node *nd = &act[k];
            double cap = 0.0, need, r, b, d, pj, tot;
            int f, fit, kfit;
            Py_ssize_t hrun, khrun, kline, e;
            r = ratio(P, line_width(P, nd->line), nat_j, j, nd->a + 1, fill, &cap, &need);
            if (r < -1.0) {
                if (overfull) {
                    /* max(retired, key=(a, -tot)): keep the first maximum */
                    double over = -need - (0.0 > cap ? 0.0 : cap);
                    if (!have_retired || nd->a > ret_node.a || (nd->a == ret_node.a && -nd->tot > -ret_node.tot)) {
                        ret_node = *nd;
                        ret_over = over;
                    }
                    have_retired = 1;
                }
                continue;
            }
            nxt[ns++] = *nd;
            if (r > tol) continue;
            f = P->flag[j] && !is_last;
            if (is_last && nd->f && strict && !P->final_hyphen && nd->a >= 0) continue;
            hrun = f ? nd->hrun + 1 : 0;
            if (hrun > limit && strict) continue;
            if (r < -1.0) {
                b = 1e6 * -r;
            }
            else {
                if (py_pow(fabs(r), THREE, &b) != OK) { st = FALLBACK; goto done; }
                b = 100.0 * b;
                b = b < 1e6 ? b : 1e6;
            }
            if (py_pow(P->lp + b, TWO, &d) != OK) { st = FALLBACK; goto done; }
            pj = is_last ? 0.0 : P->pen[j];
            if (pj > 0) d += pj * pj;
            if (f && nd->f) d += P->dhd;
            fit = r < -0.5 ? 0 : (r <= 0.5 ? 1 : (r <= 1.0 ? 2 : 3));
            if (abs(fit - nd->fit) > 1) d += P->adj;
            tot = nd->tot + d;
            kfit = fit;
            khrun = hrun < limit + 1 ? hrun : limit + 1;
            kline = nd->line + 1 < varying ? nd->line + 1 : varying;
            for (e = 0; e < nb; e++)
                if (best[e].kfit == kfit && best[e].khrun == khrun && best[e].kline == kline) break;
            if (e == nb) {
                best[e].kfit = kfit;
                best[e].khrun = khrun;
                best[e].kline = kline;
                nb++;
            }
            else if (!(tot < best[e].tot)) {
                continue;
            }
            best[e].tot = tot;
            best[e].nid = nd->nid;
            best[e].line = nd->line + 1;
            best[e].fit = fit;
            best[e].hrun = hrun;
            best[e].f = (unsigned char)f;
            best[e].r = r;
        }
        if (overfull && ns == 0 && nb == 0 && have_retired) {
            /* Nothing fits: an overfull line from the latest break, costed by how far it overflows. */
            int f = P->flag[j] && j != last;
            best[0].kfit = 0;
            best[0].khrun = 0;
            best[0].kline = 0;
            best[0].tot = ret_node.tot + 1e12 * (1 + ret_over);
            best[0].nid = ret_node.nid;
            best[0].line = ret_node.line + 1;
            best[0].fit = 0;
            best[0].hrun = f ? ret_node.hrun + 1 : 0;
            best[0].f = (unsigned char)f;
            best[0].r = -1.0 - ret_over;
            nb = 1;
        }
        for (k = 0; k < nb; k++) {
            if (best[k].tot > bound) continue;
            if (nodes_push(&N, best[k].nid, j, best[k].r) != OK) goto done;
            nxt[ns].a = j;
            nxt[ns].line = best[k].line;
            nxt[ns].fit = best[k].fit;
            nxt[ns].hrun = best[k].hrun;
            nxt[ns].tot = best[k].tot;
            nxt[ns].nid = N.len - 1;
            nxt[ns].f = best[k].f;
            ns++;
        }
        t = act; act = nxt; nxt = t;
        k = cap_act; cap_act = cap_nxt; cap_nxt = k;
        na = ns;
        if (na == 0) { st = NONE; goto done; }
    }
    nid = -1;
    {
        double best_tot = 0.0;
        for (k = 0; k < na; k++) {
            if (act[k].a != last) continue;
            if (nid < 0 || act[k].tot < best_tot) {
                nid = act[k].nid;
                best_tot = act[k].tot;
            }
        }
    }
    if (nid < 0) { st = NONE; goto done; }
    cnt = 0;
    for (i = nid; i > 0; i = N.prev[i]) cnt++;
    ends = PyMem_Malloc((size_t)(cnt ? cnt : 1) * sizeof(Py_ssize_t));
    ratios = PyMem_Malloc((size_t)(cnt ? cnt : 1) * sizeof(double));
    if (!ends || !ratios) {
        PyMem_Free(ends);
        PyMem_Free(ratios);
        goto done;
    }
    k = cnt;
    for (i = nid; i > 0; i = N.prev[i]) {
        k--;
        ends[k] = N.pos[i];
        ratios[k] = N.ratio[i];
    }
    *ends_out = ends;
    *ratios_out = ratios;
    *count_out = cnt;
    st = OK;
done:
    PyMem_Free(act);
    PyMem_Free(nxt);
    PyMem_Free(best);
    PyMem_Free(N.prev);
    PyMem_Free(N.pos);
    PyMem_Free(N.ratio);
    return st;
}

/* ---- reading the Python lists ---- */

/* A plain float, or a plain int (converted as float arithmetic converts it); else FALLBACK. */
static int as_double(PyObject *o, double *out)
{
    if (PyFloat_CheckExact(o)) {
        *out = PyFloat_AS_DOUBLE(o);
        return OK;
    }
    if (PyLong_CheckExact(o)) {
        double v = PyLong_AsDouble(o);
        if (v == -1.0 && PyErr_Occurred()) {
            PyErr_Clear();
            return FALLBACK;
        }
        *out = v;
        return OK;
    }
    return FALLBACK;
}

/* `seq` as a fast sequence of at least n items (a new reference), or NULL: fall back to Python. */
static PyObject *fast_at_least(PyObject *seq, Py_ssize_t n)
{
    PyObject *fast = PySequence_Fast(seq, "expected a sequence");
    if (!fast) {
        PyErr_Clear();
        return NULL;
    }
    if (PySequence_Fast_GET_SIZE(fast) < n) {
        Py_DECREF(fast);
        return NULL;
    }
    return fast;
}

/* The first n items of a sequence as doubles: plain (out) or cumulative from 0.0 (sums, n + 1). */
static int read_doubles(PyObject *seq, Py_ssize_t n, double *out, int cumulative)
{
    PyObject *fast = fast_at_least(seq, n);
    PyObject **items;
    Py_ssize_t i;
    double acc = 0.0, x;
    int st = OK;
    if (!fast) return FALLBACK;
    items = PySequence_Fast_ITEMS(fast);
    if (cumulative) out[0] = 0.0;
    for (i = 0; i < n; i++) {
        if ((st = as_double(items[i], &x)) != OK) break;
        if (cumulative) {
            acc += x;
            out[i + 1] = acc;
        }
        else {
            out[i] = x;
        }
    }
    Py_DECREF(fast);
    return st;
}

/* Penalties are squared: a plain int is accepted only where its square is exact as a double. */
static int read_pen(PyObject *seq, Py_ssize_t n, double *out)
{
    PyObject *fast = fast_at_least(seq, n);
    PyObject **items;
    Py_ssize_t i;
    int st = OK;
    if (!fast) return FALLBACK;
    items = PySequence_Fast_ITEMS(fast);
    for (i = 0; i < n && st == OK; i++) {
        st = as_double(items[i], &out[i]);
        if (st == OK && PyLong_CheckExact(items[i]) && fabs(out[i]) >= 67108864.0) st = FALLBACK;
    }
    Py_DECREF(fast);
    return st;
}

/* sep (is it END?) and flag (truthiness) */
static int read_flags(PyObject *sep, PyObject *flag, Py_ssize_t n, unsigned char *is_end, unsigned char *fl)
{
    PyObject *fs = fast_at_least(sep, n), *ff;
    Py_ssize_t i;
    int st = OK;
    if (!fs) return FALLBACK;
    ff = fast_at_least(flag, n);
    if (!ff) {
        Py_DECREF(fs);
        return FALLBACK;
    }
    for (i = 0; i < n && st == OK; i++) {
        PyObject *s = PySequence_Fast_GET_ITEM(fs, i), *f = PySequence_Fast_GET_ITEM(ff, i);
        long v;
        if (!PyLong_CheckExact(s)) { st = FALLBACK; break; }
        v = PyLong_AsLong(s);
        if (v == -1 && PyErr_Occurred()) { PyErr_Clear(); st = FALLBACK; break; }
        is_end[i] = v == END;
        if (f == Py_True) fl[i] = 1;
        else if (f == Py_False) fl[i] = 0;
        else { st = FALLBACK; break; }
    }
    Py_DECREF(fs);
    Py_DECREF(ff);
    return st;
}

static PyObject *build_result(const Py_ssize_t *ends, const double *ratios, Py_ssize_t cnt, int emergency)
{
    PyObject *le = PyList_New(cnt), *lr = PyList_New(cnt), *res;
    Py_ssize_t i;
    if (!le || !lr) goto fail;
    for (i = 0; i < cnt; i++) {
        PyObject *e = PyLong_FromSsize_t(ends[i]), *r;
        if (!e) goto fail;
        PyList_SET_ITEM(le, i, e);
        r = PyFloat_FromDouble(ratios[i]);
        if (!r) goto fail;
        PyList_SET_ITEM(lr, i, r);
    }
    res = Py_BuildValue("(NNO)", le, lr, emergency ? Py_True : Py_False);
    return res;
fail:
    Py_XDECREF(le);
    Py_XDECREF(lr);
    return NULL;
}

static int run_passes(Para *P, double tolerance, PyObject **result)
{
    const double tols[5] = {tolerance, tolerance * 3, INFINITY, INFINITY, INFINITY};
    const int emergency[5] = {0, 1, 1, 1, 1}, strict[5] = {1, 1, 1, 0, 0}, overfull[5] = {0, 0, 0, 0, 1};
    /* cheap_breaks per tolerance, computed once (Python keeps them in a dict by tolerance) */
    double ctol[5];
    int cst[5];
    Py_ssize_t *cends[5] = {NULL, NULL, NULL, NULL, NULL}, ccnt[5];
    int ncache = 0, p, c, st = NONE;

    for (p = 0; p < 5; p++) {
        double bound = INFINITY;
        Py_ssize_t *ends = NULL, cnt = 0;
        double *ratios = NULL;
        if (!overfull[p] && P->varying <= 1 && P->n > 0) {
            for (c = 0; c < ncache; c++)
                if (ctol[c] == tols[p]) break;
            if (c == ncache) {
                ctol[c] = tols[p];
                cst[c] = cheap_breaks(P, tols[p], &cends[c], &ccnt[c]);
                ncache++;
                if (cst[c] != OK && cst[c] != NONE) { st = cst[c]; goto done; }
            }
            if (cst[c] == NONE) continue;
            st = exact_cost(P, cends[c], ccnt[c], tols[p], strict[p], &bound);
            if (st != OK) goto done;
        }
        st = one_pass(P, tols[p], strict[p], overfull[p], bound, &ends, &ratios, &cnt);
        if (st == OK) {
            *result = build_result(ends, ratios, cnt, emergency[p]);
            PyMem_Free(ends);
            PyMem_Free(ratios);
            if (!*result) st = NOMEM;
            goto done;
        }
        if (st != NONE) goto done;
    }
    st = FALLBACK; /* Python raises its "unreachable" AssertionError here */
done:
    for (c = 0; c < ncache; c++) PyMem_Free(cends[c]);
    return st;
}

PyDoc_STRVAR(total_fit_doc,
"total_fit(widths, flex, sep, gw, gy, gz, hw, pen, flag, line_widths, fixed_width, varying,\n"
"          tolerance, line_penalty, double_hyphen_demerits, adjacent_demerits, hyphen_limit,\n"
"          final_hyphen, fill_last) -> (ends, ratios, emergency) or None\n\n"
"linebreak.total_fit_python over plain lists; line_widths holds width(line) for line < varying.\n"
"None: input the Python code should handle (it is the reference).");

static PyObject *breaker_total_fit(PyObject *self, PyObject *args)
{
    PyObject *widths, *flex, *sep, *gw, *gy, *gz, *hw, *pen, *flag, *lws, *result = NULL;
    double fixed_w, tolerance, lp, dhd, adj;
    Py_ssize_t varying, limit, n, i;
    int final_hyphen, fill_last, st = NOMEM;
    Para P;
    double *block = NULL, *lw = NULL;
    unsigned char *bytes = NULL;

    if (!PyArg_ParseTuple(args, "OOOOOOOOOOdnddddnpp:total_fit", &widths, &flex, &sep, &gw, &gy, &gz, &hw,
                          &pen, &flag, &lws, &fixed_w, &varying, &tolerance, &lp, &dhd, &adj, &limit,
                          &final_hyphen, &fill_last))
        return NULL;
    if (!PyList_Check(widths) || !PyList_Check(lws)) Py_RETURN_NONE;
    n = PyList_GET_SIZE(widths);
    if (varying < 0 || PyList_GET_SIZE(lws) != varying || limit > 1000000000 || limit < -1000000000)
        Py_RETURN_NONE;
    if (n == 0) return Py_BuildValue("([][]O)", Py_False);

    memset(&P, 0, sizeof(P));
    block = PyMem_Malloc(((size_t)n + 1) * 5 * sizeof(double) + (size_t)n * 2 * sizeof(double));
    bytes = PyMem_Malloc((size_t)n * 2);
    lw = PyMem_Malloc(((size_t)varying + 1) * sizeof(double));
    if (!block || !bytes || !lw) goto done;
    P.n = n;
    P.cw = block;
    P.cf = P.cw + n + 1;
    P.cgw = P.cf + n + 1;
    P.cgy = P.cgw + n + 1;
    P.cgz = P.cgy + n + 1;
    P.hw = P.cgz + n + 1;
    P.pen = P.hw + n;
    P.is_end = bytes;
    P.flag = bytes + n;
    st = OK;
    if (st == OK) st = read_doubles(widths, n, P.cw, 1);
    if (st == OK) st = read_doubles(flex, n, P.cf, 1);
    if (st == OK) st = read_doubles(gw, n, P.cgw, 1);
    if (st == OK) st = read_doubles(gy, n, P.cgy, 1);
    if (st == OK) st = read_doubles(gz, n, P.cgz, 1);
    if (st == OK) st = read_doubles(hw, n, P.hw, 0);
    if (st == OK) st = read_pen(pen, n, P.pen);
    if (st == OK) st = read_flags(sep, flag, n, P.is_end, P.flag);
    if (st == OK) st = read_doubles(lws, varying, lw, 0);
    if (st != OK) goto done;
    P.lw = lw;
    P.varying = varying;
    P.fixed_w = fixed_w;
    P.w0 = varying > 0 ? lw[0] : fixed_w;
    P.lp = lp;
    P.dhd = dhd;
    P.adj = adj;
    P.limit = limit;
    P.final_hyphen = final_hyphen;
    P.fill_last = fill_last;
    (void)i;
    st = run_passes(&P, tolerance, &result);
done:
    PyMem_Free(block);
    PyMem_Free(bytes);
    PyMem_Free(lw);
    if (st == OK) return result;
    Py_XDECREF(result);
    if (st == NOMEM) return PyErr_Occurred() ? NULL : PyErr_NoMemory();
    Py_RETURN_NONE;
}

static PyMethodDef breaker_methods[] = {
    {"total_fit", breaker_total_fit, METH_VARARGS, total_fit_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef breaker_module = {
    PyModuleDef_HEAD_INIT, "_breaker",
    "The total-fit line breaker of layout.text.linebreak in C: an optional accelerator, bit-for-bit equal.",
    -1, breaker_methods,
};

PyMODINIT_FUNC PyInit__breaker(void)
{
    return PyModule_Create(&breaker_module);
}
