/* _contain: the containment check's common answer in C (an optional accelerator).

   clean() answers, for one page, the question containment.check_page asks of every element: is each
   element's ink inside the limits of its story's box (or of the text area), and do no two elements'
   marks touch? It reads the items as containment.ink does (a text line's ink from `text_ink`, given
   by the caller; an image's box; a rule widened by half its width), compares them with the limits
   the caller reckoned for each story, and sorts the marks into the bands between the page's column
   gutters and sweeps each band down the page exactly as containment._any_touching does.

   True only when every element passes: then the page has no element finding. False when anything
   fails, or is not finite; NotImplemented for anything it does not expect (an item of another
   class, a field that is not a float). Either way the caller runs the Python check, which stays the
   reference and names each failure. Per element it makes only the ink tuple `text_ink` returns (the
   Python check makes an Ink, a limits lookup and a band entry): a drawing helper process, which
   shares the pages with its parent, writes to fewer of them. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdlib.h>

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

static PyObject *s_x, *s_top, *s_width, *s_bottom, *s_x0, *s_x1, *s_y0, *s_y1, *s_story;

/* Python's min(a, b) and max(a, b): the first argument unless the second is strictly beyond it. */
static double pymin(double a, double b) { return b < a ? b : a; }
static double pymax(double a, double b) { return b > a ? b : a; }

typedef struct {
    double x0, top, x1, bottom;
    int rule;
    Py_ssize_t seq;         /* its place on the page: a band is sorted by top, then by this (a stable sort) */
    Py_ssize_t first, last; /* the bands it lies in (none if last < first) */
} Mark;

/* A float attribute into *out: 1 read, 0 error raised, 2 not a float. */
static int float_attr(PyObject *o, PyObject *name, double *out)
{
    PyObject *v = PyObject_GetAttr(o, name);
    if (v == NULL)
        return 0;
    int r = PyFloat_CheckExact(v) ? 1 : 2;
    if (r == 1)
        *out = PyFloat_AS_DOUBLE(v);
    Py_DECREF(v);
    return r;
}

/* Eight floats from a tuple (the limits for text, then for the rest): 1, or 2 for anything else. */
static int limits_of(PyObject *t, double lim[8])
{
    if (!PyTuple_CheckExact(t) || PyTuple_GET_SIZE(t) != 8)
        return 2;
    for (int i = 0; i < 8; i++) {
        PyObject *v = PyTuple_GET_ITEM(t, i);
        if (!PyFloat_CheckExact(v))
            return 2;
        lim[i] = PyFloat_AS_DOUBLE(v);
    }
    return 1;
}

/* An item's marks: 1 read, 3 it leaves none, 0 error raised, 2 not what it expects. */
static int mark_of(PyObject *it, PyObject *types[3], PyObject *text_ink, Mark *m)
{
    PyTypeObject *t = Py_TYPE(it);
    int r;
    m->rule = 0;
    if (t == (PyTypeObject *)types[0]) {
        PyObject *got = PyObject_CallOneArg(text_ink, it);
        if (got == NULL)
            return 0;
        if (got == Py_None) {
            Py_DECREF(got);
            return 3;
        }
        r = 2;
        if (PyTuple_CheckExact(got) && PyTuple_GET_SIZE(got) == 4) {
            PyObject **v = &PyTuple_GET_ITEM(got, 0);
            if (PyFloat_CheckExact(v[0]) && PyFloat_CheckExact(v[1]) && PyFloat_CheckExact(v[2]) &&
                PyFloat_CheckExact(v[3])) {
                m->x0 = PyFloat_AS_DOUBLE(v[0]);
                m->top = PyFloat_AS_DOUBLE(v[1]);
                m->x1 = PyFloat_AS_DOUBLE(v[2]);
                m->bottom = PyFloat_AS_DOUBLE(v[3]);
                r = 1;
            }
        }
        Py_DECREF(got); /* (NotImplemented: the Python check reckons it) */
        return r;
    }
    if (t == (PyTypeObject *)types[1]) { /* an image: its box, as containment.ink */
        double x, top, width, bottom;
        if ((r = float_attr(it, s_x, &x)) != 1 || (r = float_attr(it, s_top, &top)) != 1 ||
            (r = float_attr(it, s_width, &width)) != 1 || (r = float_attr(it, s_bottom, &bottom)) != 1)
            return r;
        m->x0 = x;
        m->top = top;
        m->x1 = x + width;
        m->bottom = bottom;
        return 1;
    }
    if (t == (PyTypeObject *)types[2]) { /* a rule: widened by half its width across its run */
        double x0, y0, x1, y1, width;
        if ((r = float_attr(it, s_x0, &x0)) != 1 || (r = float_attr(it, s_y0, &y0)) != 1 ||
            (r = float_attr(it, s_x1, &x1)) != 1 || (r = float_attr(it, s_y1, &y1)) != 1 ||
            (r = float_attr(it, s_width, &width)) != 1)
            return r;
        double h = width / 2;
        m->x0 = pymin(x0, x1) - (x0 == x1 ? h : 0.0);
        m->top = pymin(y0, y1) - (y0 == y1 ? h : 0.0);
        m->x1 = pymax(x0, x1) + (x0 == x1 ? h : 0.0);
        m->bottom = pymax(y0, y1) + (y0 == y1 ? h : 0.0);
        m->rule = 1;
        return 1;
    }
    return 2;
}

/* The limits for an item's story (borrowed): its own, or `fallback` (no story, or one with no box). */
static PyObject *limits_for(PyObject *it, PyObject *limits, PyObject *fallback, int *err)
{
    PyObject *story = PyObject_GetAttr(it, s_story);
    if (story == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError)) {
            *err = 1;
            return NULL;
        }
        PyErr_Clear();
        return fallback;
    }
    PyObject *lims = story == Py_None ? NULL : PyDict_GetItemWithError(limits, story);
    Py_DECREF(story);
    if (lims == NULL && PyErr_Occurred()) {
        *err = 1;
        return NULL;
    }
    return lims != NULL ? lims : fallback;
}

static int by_top(const void *pa, const void *pb)
{
    const Mark *a = *(const Mark *const *)pa, *b = *(const Mark *const *)pb;
    if (a->top < b->top)
        return -1;
    if (a->top > b->top)
        return 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* bisect.bisect_left(mids, x) */
static Py_ssize_t bisect_left(const double *mids, Py_ssize_t n, double x)
{
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if (mids[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Whether any two marks touch, as containment._any_touching answers (finite marks, sorted mids). */
static int any_touching(Mark *marks, Py_ssize_t n, const double *mids, Py_ssize_t nmids, double eps)
{
    Py_ssize_t nb = nmids + 1, total = 0;
    Py_ssize_t *count = calloc((size_t)nb, sizeof(Py_ssize_t)), *start = calloc((size_t)nb + 1, sizeof(Py_ssize_t));
    Mark **band = NULL;
    int found = -1;
    if (count == NULL || start == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        Mark *m = &marks[i];
        m->first = bisect_left(mids, nmids, m->x0);
        m->last = bisect_left(mids, nmids, m->x1);
        for (Py_ssize_t b = m->first; b <= m->last; b++) /* none if x1 < x0: such marks overlap nothing */
            count[b]++, total++;
    }
    for (Py_ssize_t b = 0; b < nb; b++)
        start[b + 1] = start[b] + count[b];
    band = malloc(sizeof(Mark *) * (size_t)(total ? total : 1));
    if (band == NULL)
        goto done;
    for (Py_ssize_t b = 0; b < nb; b++)
        count[b] = start[b];
    for (Py_ssize_t i = 0; i < n; i++)
        for (Py_ssize_t b = marks[i].first; b <= marks[i].last; b++)
            band[count[b]++] = &marks[i];
    found = 0;
    for (Py_ssize_t b = 0; b < nb && !found; b++) {
        Mark **m = band + start[b];
        Py_ssize_t k = start[b + 1] - start[b];
        qsort(m, (size_t)k, sizeof(Mark *), by_top);
        for (Py_ssize_t i = 0; i + 1 < k && !found; i++) {
            const Mark *a = m[i];
            double foot = a->bottom;
            for (Py_ssize_t j = i + 1; j < k; j++) {
                const Mark *c = m[j];
                if (c->top >= foot)
                    break;
                if (pymin(a->x1, c->x1) - pymax(a->x0, c->x0) > eps && pymin(foot, c->bottom) - c->top > eps &&
                    !(a->rule && c->rule)) {
                    found = 1;
                    break;
                }
            }
        }
    }
done:
    free(count);
    free(start);
    free(band);
    if (found < 0)
        PyErr_NoMemory();
    return found;
}

/* clean(items, (TextItem, ImageItem, RuleItem), text_ink, limits, fallback, mids, eps)
   -> True, False or NotImplemented (see the top of this file). `limits` maps a story to the eight
   limits of containment._limits (for its text, then for the rest), `fallback` is the text area's;
   `mids` the column gutters' middles, finite and in order. */
static PyObject *clean(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs != 7) {
        PyErr_SetString(PyExc_TypeError, "clean(items, types, text_ink, limits, fallback, mids, eps)");
        return NULL;
    }
    PyObject *items = args[0], *types = args[1], *text_ink = args[2], *limits = args[3], *fallback = args[4];
    PyObject *mids_list = args[5];
    if (!PyList_CheckExact(items) || !PyTuple_CheckExact(types) || PyTuple_GET_SIZE(types) != 3 ||
        !PyDict_CheckExact(limits) || !PyList_CheckExact(mids_list) || !PyFloat_CheckExact(args[6]))
        Py_RETURN_NOTIMPLEMENTED;
    double eps = PyFloat_AS_DOUBLE(args[6]);
    PyObject *kinds[3] = {PyTuple_GET_ITEM(types, 0), PyTuple_GET_ITEM(types, 1), PyTuple_GET_ITEM(types, 2)};
    Py_ssize_t n = PyList_GET_SIZE(items), nmids = PyList_GET_SIZE(mids_list), nm = 0;
    Mark *marks = malloc(sizeof(Mark) * (size_t)(n ? n : 1));
    double *mids = malloc(sizeof(double) * (size_t)(nmids ? nmids : 1));
    PyObject *result = NULL;
    if (marks == NULL || mids == NULL) {
        PyErr_NoMemory();
        goto out;
    }
    for (Py_ssize_t i = 0; i < nmids; i++) {
        PyObject *v = PyList_GET_ITEM(mids_list, i);
        if (!PyFloat_CheckExact(v)) {
            result = Py_NotImplemented;
            goto out;
        }
        mids[i] = PyFloat_AS_DOUBLE(v);
    }
    double lim[8];
    PyObject *parsed = NULL; /* the limits `lim` holds (items of one story come together: parsed once) */
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); i++) {
        PyObject *it = PyList_GET_ITEM(items, i);
        Mark *m = &marks[nm];
        int err = 0, text = Py_IS_TYPE(it, (PyTypeObject *)kinds[0]);
        Py_INCREF(it); /* (the text_ink call may run Python code) */
        int r = mark_of(it, kinds, text_ink, m);
        PyObject *lims = r == 1 ? limits_for(it, limits, fallback, &err) : NULL;
        Py_DECREF(it);
        if (r == 0 || err)
            goto out;
        if (r == 3)
            continue;
        if (r == 2 || (lims != parsed && limits_of(lims, lim) != 1)) {
            result = Py_NotImplemented;
            goto out;
        }
        parsed = lims; /* (borrowed: `limits` and the caller hold it) */
        const double *l = text ? lim : lim + 4;
        if (!(l[0] <= m->x0 && m->x1 <= l[1] && l[2] <= m->top && m->bottom <= l[3])) {
            result = Py_False; /* outside its box (or not a number) */
            goto out;
        }
        if (!isfinite(m->x0 + m->x1 + m->top + m->bottom)) {
            result = Py_False;
            goto out;
        }
        m->seq = nm++;
    }
    {
        int t = any_touching(marks, nm, mids, nmids, eps);
        if (t < 0)
            goto out;
        result = t ? Py_False : Py_True;
    }
out:
    free(marks);
    free(mids);
    Py_XINCREF(result);
    return result;
}

static PyMethodDef methods[] = {
    {"clean", (PyCFunction)(void (*)(void))clean, METH_FASTCALL,
     "clean(items, types, text_ink, limits, fallback, mids, eps) -> True, False or NotImplemented"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_contain", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__contain(void)
{
    s_x = PyUnicode_InternFromString("x");
    s_top = PyUnicode_InternFromString("top");
    s_width = PyUnicode_InternFromString("width");
    s_bottom = PyUnicode_InternFromString("bottom");
    s_x0 = PyUnicode_InternFromString("x0");
    s_x1 = PyUnicode_InternFromString("x1");
    s_y0 = PyUnicode_InternFromString("y0");
    s_y1 = PyUnicode_InternFromString("y1");
    s_story = PyUnicode_InternFromString("story");
    if (!s_x || !s_top || !s_width || !s_bottom || !s_x0 || !s_x1 || !s_y0 || !s_y1 || !s_story)
        return NULL;
    return PyModule_Create(&module);
}
