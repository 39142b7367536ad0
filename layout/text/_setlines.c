/* _setlines: the line filling of layout/text/justify.py and the paragraph cache's encoding in C
   (an optional accelerator).

   set_lines reads one paragraph's boxes (each a tuple of runs: face, shaped text, colour) and its
   items' separators, glue and flags (gathered into runs as justify.build_lines_python gathers them), the breaker's ends
   and ratios, each line's measure and the style's numbers; produces the paragraph's `Line`s with
   their `Span`s exactly as justify.build_lines_python does: the same hyphen span, optical margins,
   justification (word spaces first, then tracking and glyph scaling), alignment and overfull check,
   every sum and product in the Python order in doubles (no contraction of a*b+c: see setup.py's
   flags), min() and max() keeping the first extreme as Python's do.

   line_ink gives a set line's glyph ink above and below its baseline, and text_ink where a text
   item's line leaves ink on the page (the containment check's).

   encode and decode turn lines into the cache's plain tuples and back, as cache._encode_python and
   cache._decode_trusted do. Spans, shaped runs and lines are made without calling their classes
   (see `register`), which is most of what decoding costs in Python.

   Every function returns None when the input is anything the Python code might treat differently
   (list items that are not plain floats, ints or bools, a line with no runs, ends out of order, an
   entry of another shape, a face not loaded yet): the caller then runs the Python code, which stays
   the reference. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define SPACE 0
#define HYPH 1
#define JOIN 2

static PyObject *s_width, *s_shape, *s_text, *s_glyphs, *s_dash, *s_segs;

/* Python's min(a, b) and max(a, b): the first argument unless the second is strictly beyond it. */
static double pymin(double a, double b) { return b < a ? b : a; }
static double pymax(double a, double b) { return b > a ? b : a; }

/* Objects made without calling their class: Span, Shaped and Line are dataclasses with slots whose
   __init__ only stores each argument in its field, in order (`register` is given them and their
   field names; layout/text/line.py checks at import that an object made here equals one its class
   makes). A class not registered, or whose fields are not plain slots, is called instead. */
#define MAXF 16
typedef struct {
    PyTypeObject *type;
    Py_ssize_t n;
    Py_ssize_t off[MAXF];
} Maker;

static Maker SPAN, SHAPED, LINE;
static int INK_FIELDS; /* whether line_ink may read spans' fields from their slots (see do_register) */
/* Where text_ink finds the fields it reads (their places among the registered names; -1: not there). */
static Py_ssize_t SPAN_X = -1, SHAPED_WIDTH = -1, SHAPED_GLYPHS = -1, LINE_SPANS = -1, LINE_TRACKING = -1,
                  LINE_SCALE = -1;

static Py_ssize_t field_index(PyObject *names, const char *name)
{
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(names); i++)
        if (PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(names, i), name) == 0)
            return i;
    return -1;
}

static int maker_set(Maker *m, PyObject *cls, PyObject *names)
{
    Py_ssize_t i;
    if (!PyType_Check(cls) || !PyTuple_CheckExact(names) || PyTuple_GET_SIZE(names) > MAXF)
        return 0;
    for (i = 0; i < PyTuple_GET_SIZE(names); i++) {
        PyObject *d = PyDict_GetItemWithError(((PyTypeObject *)cls)->tp_dict, PyTuple_GET_ITEM(names, i));
        PyMemberDef *md;
        if (d == NULL || !Py_IS_TYPE(d, &PyMemberDescr_Type))
            return 0;
        md = ((PyMemberDescrObject *)d)->d_member;
        if (md->type != T_OBJECT_EX || (md->flags & READONLY))
            return 0;
        m->off[i] = md->offset;
    }
    Py_XDECREF(m->type);
    Py_INCREF(cls);
    m->type = (PyTypeObject *)cls;
    m->n = PyTuple_GET_SIZE(names);
    return 1;
}

/* A new object of the maker's class with these field values (n of them). */
static PyObject *make(Maker *m, PyObject *cls, PyObject *const *v, Py_ssize_t n)
{
    PyObject *o;
    Py_ssize_t i;
    if (m->type == NULL || (PyObject *)m->type != cls || m->n != n)
        return PyObject_Vectorcall(cls, v, n, NULL);
    o = m->type->tp_alloc(m->type, 0);
    if (o == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        Py_INCREF(v[i]);
        *(PyObject **)((char *)o + m->off[i]) = v[i];
    }
    return o;
}

static PyObject *do_register(PyObject *self, PyObject *args)
{
    PyObject *span, *span_f, *shaped, *shaped_f, *line, *line_f;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOOO", &span, &span_f, &shaped, &shaped_f, &line, &line_f))
        return NULL;
    if (!maker_set(&SPAN, span, span_f) || !maker_set(&SHAPED, shaped, shaped_f) || !maker_set(&LINE, line, line_f)) {
        if (PyErr_Occurred())
            return NULL;
        Py_CLEAR(SPAN.type);
        Py_CLEAR(SHAPED.type);
        Py_CLEAR(LINE.type);
        INK_FIELDS = 0;
        SPAN_X = SHAPED_WIDTH = SHAPED_GLYPHS = LINE_SPANS = LINE_TRACKING = LINE_SCALE = -1;
        Py_RETURN_FALSE;
    }
    SPAN_X = field_index(span_f, "x");
    SHAPED_WIDTH = field_index(shaped_f, "width");
    SHAPED_GLYPHS = field_index(shaped_f, "glyphs");
    LINE_SPANS = field_index(line_f, "spans");
    LINE_TRACKING = field_index(line_f, "tracking");
    LINE_SCALE = field_index(line_f, "scale");
    /* line_ink reads a span's face, size and shaped run, and the run's text, from their slots when
       they are where it looks for them (Span(face, size, shaped, ...), Shaped(text, ...)). */
    INK_FIELDS = PyTuple_GET_SIZE(span_f) >= 3 && PyTuple_GET_SIZE(shaped_f) >= 1 &&
                 PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(span_f, 0), "face") == 0 &&
                 PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(span_f, 1), "size") == 0 &&
                 PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(span_f, 2), "shaped") == 0 &&
                 PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(shaped_f, 0), "text") == 0;
    Py_RETURN_TRUE;
}

/* make() for Python: make(cls, *values) (for the check that such objects equal the class's). */
static PyObject *do_make(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Maker *m;
    (void)self;
    if (nargs < 1) {
        PyErr_SetString(PyExc_TypeError, "make(cls, *values)");
        return NULL;
    }
    m = args[0] == (PyObject *)SPAN.type ? &SPAN : args[0] == (PyObject *)SHAPED.type ? &SHAPED : &LINE;
    return make(m, args[0], args + 1, nargs - 1);
}

/* Lines from a cache entry this build made itself (cache._decode_trusted): ((spans, rest), ...) with
   each span (path, size, text, kerns, width, glyphs, (x, space_before, colour)). `faces` maps
   paths to faces. None for anything else, or a face not in `faces` (the Python code loads it). */
static PyObject *decode(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *entry, *faces, *Span, *Shaped, *Line, *out;
    Py_ssize_t i, j, n;
    (void)self;
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "decode(entry, faces, Span, Shaped, Line)");
        return NULL;
    }
    entry = args[0];
    faces = args[1];
    Span = args[2];
    Shaped = args[3];
    Line = args[4];
    if (!PyTuple_CheckExact(entry) || !PyDict_CheckExact(faces))
        Py_RETURN_NONE;
    n = PyTuple_GET_SIZE(entry);
    out = PyList_New(n);
    if (out == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        PyObject *ln = PyTuple_GET_ITEM(entry, i), *spans, *rest, *list, *lv[12], *line;
        Py_ssize_t ns;
        if (!PyTuple_CheckExact(ln) || PyTuple_GET_SIZE(ln) != 2)
            goto decline;
        spans = PyTuple_GET_ITEM(ln, 0);
        rest = PyTuple_GET_ITEM(ln, 1);
        if (!PyTuple_CheckExact(spans) || !PyTuple_CheckExact(rest) || PyTuple_GET_SIZE(rest) != 11)
            goto decline;
        ns = PyTuple_GET_SIZE(spans);
        list = PyList_New(ns);
        if (list == NULL)
            goto fail;
        for (j = 0; j < ns; j++) {
            PyObject *sp = PyTuple_GET_ITEM(spans, j), *face, *sr, *sh, *sv[6], *span;
            if (!PyTuple_CheckExact(sp) || PyTuple_GET_SIZE(sp) != 7 || !PyTuple_CheckExact(PyTuple_GET_ITEM(sp, 6)) ||
                PyTuple_GET_SIZE(PyTuple_GET_ITEM(sp, 6)) != 3) {
                Py_DECREF(list);
                goto decline;
            }
            face = PyDict_GetItemWithError(faces, PyTuple_GET_ITEM(sp, 0));
            if (face == NULL || !PyObject_IsTrue(face)) {
                Py_DECREF(list);
                if (PyErr_Occurred())
                    goto fail;
                goto decline;
            }
            sh = make(&SHAPED, Shaped, &PyTuple_GET_ITEM(sp, 2), 4);
            if (sh == NULL) {
                Py_DECREF(list);
                goto fail;
            }
            sr = PyTuple_GET_ITEM(sp, 6);
            sv[0] = face;
            sv[1] = PyTuple_GET_ITEM(sp, 1);
            sv[2] = sh;
            sv[3] = PyTuple_GET_ITEM(sr, 0);
            sv[4] = PyTuple_GET_ITEM(sr, 1);
            sv[5] = PyTuple_GET_ITEM(sr, 2);
            span = make(&SPAN, Span, sv, 6);
            Py_DECREF(sh);
            if (span == NULL) {
                Py_DECREF(list);
                goto fail;
            }
            PyList_SET_ITEM(list, j, span);
        }
        lv[0] = list;
        for (j = 0; j < 11; j++)
            lv[j + 1] = PyTuple_GET_ITEM(rest, j);
        line = make(&LINE, Line, lv, 12);
        Py_DECREF(list);
        if (line == NULL)
            goto fail;
        PyList_SET_ITEM(out, i, line);
    }
    return out;
decline:
    Py_DECREF(out);
    Py_RETURN_NONE;
fail:
    Py_DECREF(out);
    return NULL;
}

/* Field i of an object made by m's class, borrowed (NULL if the slot is empty). */
#define FIELD(m, o, i) (*(PyObject **)((char *)(o) + (m).off[i]))

/* Lines as cache entries (cache._encode): ((spans, rest), ...) with each span (path, size, text,
   kerns, width, glyphs, (x, space_before, colour)) and rest every Line field after `spans`; a face
   by str(face.path). None for anything not made of the registered classes. */
/* cache._decode's checks on an entry read from a file, in C: 1 when every check passes with room to
   spare, 0 otherwise (the Python code then runs them and says what is wrong, or accepts what only it
   can judge). `line_kinds` and `span_kinds` give each field after a line's spans and after a span's
   shaped run as a letter: f a number (int or float, never bool), i an int, b a bool, s a str. Numbers
   that must be finite are also held to |v| <= 1e300, so that no sum of them can overflow. */
#define BIG 1e300

static int kind_ok(PyObject *v, char k)
{
    switch (k) {
    case 'f':
        return PyFloat_CheckExact(v) || PyLong_CheckExact(v);
    case 'i':
        return PyLong_CheckExact(v);
    case 'b':
        return PyBool_Check(v);
    case 's':
        return PyUnicode_CheckExact(v);
    }
    return 0;
}

/* A number (float or int, never bool) as a double, finite and within BIG; 0 if not. */
static int modest(PyObject *v, double *out)
{
    double d;
    if (PyFloat_CheckExact(v))
        d = PyFloat_AS_DOUBLE(v);
    else if (PyLong_CheckExact(v)) {
        d = PyLong_AsDouble(v);
        if (d == -1.0 && PyErr_Occurred()) {
            PyErr_Clear();
            return 0;
        }
    } else
        return 0;
    if (!isfinite(d) || d > BIG || d < -BIG)
        return 0;
    *out = d;
    return 1;
}

static int span_ok(PyObject *sp, const char *sk, Py_ssize_t nsk)
{
    PyObject *size, *text, *kerns, *width, *glyphs, *rest;
    Py_ssize_t g, k;
    double d;
    int overflow;
    long long ng;
    if (!PyTuple_CheckExact(sp) || PyTuple_GET_SIZE(sp) != 7 || !PyUnicode_CheckExact(PyTuple_GET_ITEM(sp, 0)))
        return 0;
    size = PyTuple_GET_ITEM(sp, 1);
    text = PyTuple_GET_ITEM(sp, 2);
    kerns = PyTuple_GET_ITEM(sp, 3);
    width = PyTuple_GET_ITEM(sp, 4);
    glyphs = PyTuple_GET_ITEM(sp, 5);
    rest = PyTuple_GET_ITEM(sp, 6);
    if (!modest(size, &d) || !(0 < d && d < 5000) || !PyUnicode_CheckExact(text) || !PyLong_CheckExact(glyphs))
        return 0;
    ng = PyLong_AsLongLongAndOverflow(glyphs, &overflow);
    if (overflow || (ng == -1 && PyErr_Occurred())) {
        PyErr_Clear();
        return 0;
    }
    g = PyUnicode_GET_LENGTH(text);
    if (ng != (long long)g || g > 1000000 || !modest(width, &d))
        return 0;
    if (kerns != Py_None) {
        if (!PyTuple_CheckExact(kerns) || PyTuple_GET_SIZE(kerns) != g)
            return 0;
        for (k = 0; k < g; k++)
            if (!modest(PyTuple_GET_ITEM(kerns, k), &d))
                return 0;
    }
    if (!PyTuple_CheckExact(rest) || PyTuple_GET_SIZE(rest) != nsk || nsk < 1 || sk[0] != 'f')
        return 0;
    for (k = 0; k < nsk; k++)
        if (!kind_ok(PyTuple_GET_ITEM(rest, k), sk[k]))
            return 0;
    return modest(PyTuple_GET_ITEM(rest, 0), &d);  /* x */
}

static PyObject *checked(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *entry;
    const char *lk, *sk;
    Py_ssize_t nlk, nsk, i, j, n;
    (void)self;
    if (nargs != 3 || !PyUnicode_CheckExact(args[1]) || !PyUnicode_CheckExact(args[2])) {
        PyErr_SetString(PyExc_TypeError, "checked(entry, line_kinds, span_kinds)");
        return NULL;
    }
    entry = args[0];
    lk = PyUnicode_AsUTF8AndSize(args[1], &nlk);
    sk = PyUnicode_AsUTF8AndSize(args[2], &nsk);
    if (lk == NULL || sk == NULL)
        return NULL;
    if (!PyTuple_CheckExact(entry) || nlk < 3 || lk[0] != 'f' || lk[1] != 'f' || lk[2] != 'f')
        Py_RETURN_FALSE;
    n = PyTuple_GET_SIZE(entry);
    for (i = 0; i < n; i++) {
        PyObject *ln = PyTuple_GET_ITEM(entry, i), *spans, *rest;
        double w, t, sc;
        if (!PyTuple_CheckExact(ln) || PyTuple_GET_SIZE(ln) != 2)
            Py_RETURN_FALSE;
        spans = PyTuple_GET_ITEM(ln, 0);
        rest = PyTuple_GET_ITEM(ln, 1);
        if (!PyTuple_CheckExact(spans) || PyTuple_GET_SIZE(spans) == 0 || !PyTuple_CheckExact(rest) ||
            PyTuple_GET_SIZE(rest) != nlk)
            Py_RETURN_FALSE;
        for (j = 0; j < nlk; j++)
            if (!kind_ok(PyTuple_GET_ITEM(rest, j), lk[j]))
                Py_RETURN_FALSE;
        /* width, tracking, scale: finite, and the scale above 0 */
        if (!modest(PyTuple_GET_ITEM(rest, 0), &w) || !modest(PyTuple_GET_ITEM(rest, 1), &t) ||
            !modest(PyTuple_GET_ITEM(rest, 2), &sc) || !(sc > 0))
            Py_RETURN_FALSE;
        for (j = 0; j < PyTuple_GET_SIZE(spans); j++)
            if (!span_ok(PyTuple_GET_ITEM(spans, j), sk, nsk))
                Py_RETURN_FALSE;
    }
    Py_RETURN_TRUE;
}

static PyObject *encode(PyObject *self, PyObject *lines)
{
    PyObject *out, *faces[16] = {NULL}, *paths[16] = {NULL}, *s_path = NULL;
    Py_ssize_t i, j, n, nf = 0;
    (void)self;
    if (!PyList_CheckExact(lines) || SPAN.type == NULL || SHAPED.type == NULL || LINE.type == NULL)
        Py_RETURN_NONE;
    n = PyList_GET_SIZE(lines);
    out = PyTuple_New(n);
    if (out == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        PyObject *ln = PyList_GET_ITEM(lines, i), *spans, *st, *rest, *pair;
        Py_ssize_t ns;
        if (!Py_IS_TYPE(ln, LINE.type))
            goto decline;
        spans = FIELD(LINE, ln, 0);
        if (spans == NULL || !PyList_CheckExact(spans))
            goto decline;
        ns = PyList_GET_SIZE(spans);
        st = PyTuple_New(ns);
        if (st == NULL)
            goto fail;
        for (j = 0; j < ns; j++) {
            PyObject *sp = PyList_GET_ITEM(spans, j), *face, *sh, *path = NULL, *r, *t;
            Py_ssize_t k;
            int f;
            if (!Py_IS_TYPE(sp, SPAN.type) || (sh = FIELD(SPAN, sp, 2)) == NULL || !Py_IS_TYPE(sh, SHAPED.type)) {
                Py_DECREF(st);
                goto decline;
            }
            for (f = 0; f < 6; f++)
                if (FIELD(SPAN, sp, f) == NULL) {
                    Py_DECREF(st);
                    goto decline;
                }
            for (f = 0; f < 4; f++)
                if (FIELD(SHAPED, sh, f) == NULL) {
                    Py_DECREF(st);
                    goto decline;
                }
            face = FIELD(SPAN, sp, 0);
            for (k = 0; k < nf; k++)
                if (faces[k] == face) {
                    path = paths[k];
                    break;
                }
            if (path == NULL) {
                PyObject *po;
                if (s_path == NULL && (s_path = PyUnicode_InternFromString("path")) == NULL) {
                    Py_DECREF(st);
                    goto fail;
                }
                po = PyObject_GetAttr(face, s_path);
                path = po ? PyObject_Str(po) : NULL;
                Py_XDECREF(po);
                if (path == NULL) {
                    Py_DECREF(st);
                    goto fail;
                }
                if (nf == 16) { /* more faces in one paragraph than the table holds: Python does it */
                    Py_DECREF(path);
                    Py_DECREF(st);
                    goto decline;
                }
                faces[nf] = face;
                paths[nf++] = path; /* owned by the table */
            }
            r = PyTuple_Pack(3, FIELD(SPAN, sp, 3), FIELD(SPAN, sp, 4), FIELD(SPAN, sp, 5));
            if (r == NULL) {
                Py_DECREF(st);
                goto fail;
            }
            t = PyTuple_Pack(7, path, FIELD(SPAN, sp, 1), FIELD(SHAPED, sh, 0), FIELD(SHAPED, sh, 1),
                             FIELD(SHAPED, sh, 2), FIELD(SHAPED, sh, 3), r);
            Py_DECREF(r);
            if (t == NULL) {
                Py_DECREF(st);
                goto fail;
            }
            PyTuple_SET_ITEM(st, j, t);
        }
        rest = PyTuple_New(LINE.n - 1);
        if (rest == NULL) {
            Py_DECREF(st);
            goto fail;
        }
        for (j = 1; j < LINE.n; j++) {
            PyObject *v = FIELD(LINE, ln, j);
            if (v == NULL) {
                Py_DECREF(st);
                Py_DECREF(rest);
                goto decline;
            }
            Py_INCREF(v);
            PyTuple_SET_ITEM(rest, j - 1, v);
        }
        pair = PyTuple_Pack(2, st, rest);
        Py_DECREF(st);
        Py_DECREF(rest);
        if (pair == NULL)
            goto fail;
        PyTuple_SET_ITEM(out, i, pair);
    }
    for (i = 0; i < nf; i++)
        Py_DECREF(paths[i]);
    return out;
decline:
    for (i = 0; i < nf; i++)
        Py_DECREF(paths[i]);
    Py_DECREF(out);
    Py_RETURN_NONE;
fail:
    for (i = 0; i < nf; i++)
        Py_DECREF(paths[i]);
    Py_DECREF(out);
    return NULL;
}

/* An int attribute of a HarfBuzz glyph record as a long long; 0 if it is not a plain int. */
static int int_attr(PyObject *o, PyObject *name, long long *out)
{
    PyObject *v = PyObject_GetAttr(o, name);
    int overflow = 0;
    if (v == NULL)
        return -1;
    if (!PyLong_CheckExact(v)) {
        Py_DECREF(v);
        return 0;
    }
    *out = PyLong_AsLongLongAndOverflow(v, &overflow);
    Py_DECREF(v);
    return overflow ? 0 : 1;
}

/* dict[key] for a small int key, borrowed; NULL if absent (or on an error, with an exception). */
static PyObject *int_get(PyObject *dict, long long key)
{
    PyObject *k = PyLong_FromLongLong(key), *v;
    if (k == NULL)
        return NULL;
    v = PyDict_GetItemWithError(dict, k);
    Py_DECREF(k);
    return v;
}

static PyObject *s_cluster, *s_codepoint, *s_x_advance, *s_x_offset, *s_y_offset;

/* A kern as a float object, one object for each whole value from -KERN_SHARED to KERN_SHARED (made
   when first needed, kept for good): most kerns are 0 or a few whole values in a 1000-unit em
   (in the 16-page benchmark issue, 53,000 of the 168,000 numbers a helper sends are 0.0), and kerns
   sharing objects are written once by marshal (then referenced), so the lines passed between
   processes and kept in the cache are smaller and read back with fewer objects made. The Python loop
   shares its 0.0 the same way (a constant). */
#define KERN_SHARED 512
static PyObject *shared_kerns[2 * KERN_SHARED + 1];

static PyObject *kern_float(double k)
{
    if (k >= -KERN_SHARED && k <= KERN_SHARED && k == (double)(long)k && !(k == 0.0 && signbit(k))) {
        PyObject **slot = &shared_kerns[(long)k + KERN_SHARED];
        if (*slot == NULL && (*slot = PyFloat_FromDouble(k)) == NULL)
            return NULL;
        Py_INCREF(*slot);
        return *slot;
    }
    return PyFloat_FromDouble(k);
}

/* One glyph as HarfBuzz gives it: its cluster (the index of its first character), glyph id, advance
   and offsets, in font units. */
typedef struct {
    long long cluster, gid, xa, xo, yo;
} GlyphIn;

/* The glyph loop of fonts.Face._hb_shape (`glyph_loop` in Python, the reference): HarfBuzz's glyphs
   of `text` as a Shaped (the characters drawn, kerns, width, glyph count), None where a glyph is
   moved off the baseline or has no character (the caller shapes again without ligatures),
   NotImplemented for anything the Python loop might treat differently (it then runs). */
static PyObject *glyph_run(PyObject *text, const GlyphIn *gl, Py_ssize_t ng, PyObject *c2g, PyObject *g2c,
                           PyObject *widths, double scale, PyObject *Shaped)
{
    PyObject *kerns = NULL, *chars = NULL, *res = NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), i;
    double total = 0.0;
    Py_UCS4 *buf = NULL;
    int any_kern = 0;
    buf = PyMem_Malloc(sizeof(Py_UCS4) * ((size_t)ng + 1));
    kerns = PyTuple_New(ng);
    if (buf == NULL || kerns == NULL) {
        PyMem_Free(buf);
        Py_XDECREF(kerns);
        return PyErr_NoMemory();
    }
    for (i = 0; i < ng; i++) {
        PyObject *v, *kf;
        long long cluster = gl[i].cluster, gid = gl[i].gid, code = -1, xo = gl[i].xo, yo = gl[i].yo, xa = gl[i].xa;
        double nominal, adv, k;
        if (cluster >= 0 && cluster < n) {
            Py_UCS4 typed = PyUnicode_READ_CHAR(text, cluster);
            v = int_get(c2g, typed);
            if (v == NULL && PyErr_Occurred())
                goto fail;
            if (v != NULL) {
                int overflow = 0;
                long long g;
                if (!PyLong_CheckExact(v))
                    goto decline;
                g = PyLong_AsLongLongAndOverflow(v, &overflow);
                if (overflow)
                    goto decline;
                if (g == gid)
                    code = typed;
            }
        } else if (cluster < 0)
            goto decline;
        if (code < 0) {
            v = int_get(g2c, gid);
            if (v == NULL && PyErr_Occurred())
                goto fail;
            if (v != NULL) {
                int overflow = 0;
                if (!PyLong_CheckExact(v))
                    goto decline;
                code = PyLong_AsLongLongAndOverflow(v, &overflow);
                if (overflow || code < 0 || code > 0x10FFFF)
                    goto decline;
            }
        }
        if (code < 0 || yo || xo) {
            if (gid != 0) {
                res = Py_None; /* try again without ligatures */
                Py_INCREF(res);
                goto done;
            }
            if (cluster >= n)
                goto decline; /* Python raises IndexError there */
            code = PyUnicode_READ_CHAR(text, cluster);
        }
        v = int_get(widths, code);
        if (v == NULL && PyErr_Occurred())
            goto fail;
        if (v == NULL)
            nominal = 0.0;
        else if (PyFloat_CheckExact(v))
            nominal = PyFloat_AS_DOUBLE(v);
        else if (PyLong_CheckExact(v)) {
            nominal = PyLong_AsDouble(v);
            if (nominal == -1.0 && PyErr_Occurred()) {
                PyErr_Clear();
                goto decline;
            }
        } else
            goto decline;
        if (xa > (1LL << 40) || xa < -(1LL << 40))
            goto decline;
        adv = (double)xa * scale;
        k = adv - nominal;
        if (fabs(k) < 0.01)
            k = 0.0;
        else
            any_kern = 1;
        kf = kern_float(k);
        if (kf == NULL)
            goto fail;
        PyTuple_SET_ITEM(kerns, i, kf);
        buf[i] = (Py_UCS4)code;
        total += adv;
    }
    chars = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, ng);
    if (chars == NULL)
        goto fail;
    {
        PyObject *v[4], *t = PyFloat_FromDouble(total), *g = PyLong_FromSsize_t(ng);
        if (t == NULL || g == NULL) {
            Py_XDECREF(t);
            Py_XDECREF(g);
            goto fail;
        }
        v[0] = chars;
        v[1] = any_kern ? kerns : Py_None;
        v[2] = t;
        v[3] = g;
        res = make(&SHAPED, Shaped, v, 4);
        Py_DECREF(t);
        Py_DECREF(g);
    }
    goto done;
decline:
    res = Py_NotImplemented;
    Py_INCREF(res);
    goto done;
fail:
    res = NULL;
done:
    PyMem_Free(buf);
    Py_XDECREF(kerns);
    Py_XDECREF(chars);
    return res;
}

/* glyph_run over uharfbuzz's GlyphInfo and GlyphPosition objects (fonts.Face._hb_shape's Python API
   path): glyphs(text, infos, positions, c2g, g2c, widths, scale, Shaped). */
static PyObject *glyphs(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *text, *infos, *positions, *res;
    Py_ssize_t ng, i;
    GlyphIn *gl;
    int rc = 1;
    (void)self;
    if (nargs != 8) {
        PyErr_SetString(PyExc_TypeError, "glyphs takes 8 arguments");
        return NULL;
    }
    text = args[0];
    infos = args[1];
    positions = args[2];
    if (!PyUnicode_CheckExact(text) || !PyList_CheckExact(infos) || !PyList_CheckExact(positions) ||
        PyList_GET_SIZE(infos) != PyList_GET_SIZE(positions) || !PyDict_CheckExact(args[3]) ||
        !PyDict_CheckExact(args[4]) || !PyDict_CheckExact(args[5]) || !PyFloat_CheckExact(args[6]))
        Py_RETURN_NOTIMPLEMENTED;
    ng = PyList_GET_SIZE(infos);
    if ((gl = PyMem_Malloc(sizeof(GlyphIn) * ((size_t)ng + 1))) == NULL)
        return PyErr_NoMemory();
    for (i = 0; i < ng && rc == 1; i++) {
        PyObject *info = PyList_GET_ITEM(infos, i), *pos = PyList_GET_ITEM(positions, i);
        if ((rc = int_attr(info, s_cluster, &gl[i].cluster)) == 1 && (rc = int_attr(info, s_codepoint, &gl[i].gid)) == 1 &&
            (rc = int_attr(pos, s_y_offset, &gl[i].yo)) == 1 && (rc = int_attr(pos, s_x_offset, &gl[i].xo)) == 1)
            rc = int_attr(pos, s_x_advance, &gl[i].xa);
    }
    if (rc == 1)
        res = glyph_run(text, gl, ng, args[3], args[4], args[5], PyFloat_AS_DOUBLE(args[6]), args[7]);
    else if (rc < 0)
        res = NULL;
    else {
        res = Py_NotImplemented;
        Py_INCREF(res);
    }
    PyMem_Free(gl);
    return res;
}

/* HarfBuzz's own C API, called directly: the library uharfbuzz ships (its extension module, found by
   path and opened without importing it: that import took 13-14 ms of every render's start, before
   any process could share the work, for enums and classes this code never uses), its functions
   looked up by name. Shaping through the Python API made a Buffer, a GlyphInfo and a GlyphPosition
   object per glyph (4.7 us a new word, 2.0 of them HarfBuzz's own). The same library and the same
   calls (a font made from the same bytes at the same scale, the text added as UTF-32, segment
   properties guessed, the same features) give the same glyphs; the Python API stays the fallback
   where the library cannot be opened so or lacks a function (fonts.py). */
#if defined(__unix__) || defined(__APPLE__)
#include <dlfcn.h>
#define HAVE_DLOPEN 1
#else
#define HAVE_DLOPEN 0
#endif
#include <stdint.h>

typedef union {
    uint32_t u32;
    int32_t i32;
} hb_var_int_t;
typedef struct {
    uint32_t codepoint, mask, cluster;
    hb_var_int_t var1, var2;
} hb_glyph_info_t;
typedef struct {
    int32_t x_advance, y_advance, x_offset, y_offset;
    hb_var_int_t var;
} hb_glyph_position_t;
typedef struct {
    uint32_t tag, value;
    unsigned int start, end;
} hb_feature_t;
typedef struct {
    int32_t x_bearing, y_bearing, width, height;
} hb_glyph_extents_t;

static struct {
    void *(*blob_create)(const char *, unsigned int, int, void *, void (*)(void *));
    void (*blob_destroy)(void *);
    void *(*face_create)(void *, unsigned int);
    void (*face_destroy)(void *);
    unsigned int (*face_get_upem)(const void *);
    void *(*font_create)(void *);
    void (*font_destroy)(void *);
    void (*font_set_scale)(void *, int, int);
    int (*font_get_glyph_extents)(void *, uint32_t, hb_glyph_extents_t *);
    void *(*buffer_create)(void);
    void (*buffer_clear_contents)(void *);
    void (*buffer_add_utf32)(void *, const uint32_t *, int, unsigned int, int);
    void (*buffer_guess_segment_properties)(void *);
    int (*buffer_allocation_successful)(void *);
    hb_glyph_info_t *(*buffer_get_glyph_infos)(void *, unsigned int *);
    hb_glyph_position_t *(*buffer_get_glyph_positions)(void *, unsigned int *);
    void (*shape)(void *, void *, const hb_feature_t *, unsigned int);
    int (*feature_from_string)(const char *, int, hb_feature_t *);
    const char *(*version_string)(void);
} hb;
static void *hb_buf; /* one buffer, emptied for each word (every call holds the interpreter lock) */
static PyObject *hb_version;

#define HB_MEMORY_MODE_READONLY 1
#define HB_FONT "layout.text._setlines.hb_font"

/* bind_harfbuzz(path) -> HarfBuzz's version string, or None where the library at `path` cannot be
   opened or lacks a function (nothing is bound then). Bound once a process. */
static PyObject *bind_harfbuzz(PyObject *self, PyObject *arg)
{
#if HAVE_DLOPEN
    static const char *names[] = {"hb_blob_create", "hb_blob_destroy", "hb_face_create", "hb_face_destroy",
                                  "hb_face_get_upem", "hb_font_create", "hb_font_destroy", "hb_font_set_scale",
                                  "hb_font_get_glyph_extents", "hb_buffer_create", "hb_buffer_clear_contents",
                                  "hb_buffer_add_utf32", "hb_buffer_guess_segment_properties",
                                  "hb_buffer_allocation_successful", "hb_buffer_get_glyph_infos",
                                  "hb_buffer_get_glyph_positions", "hb_shape", "hb_feature_from_string",
                                  "hb_version_string"};
    void *found[sizeof names / sizeof names[0]], *lib;
    size_t i;
    const char *path;
    (void)self;
    if (hb_version != NULL) {
        Py_INCREF(hb_version);
        return hb_version;
    }
    if (!PyUnicode_Check(arg) || (path = PyUnicode_AsUTF8(arg)) == NULL) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    if ((lib = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL)
        Py_RETURN_NONE;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if ((found[i] = dlsym(lib, names[i])) == NULL) {
            dlclose(lib);
            Py_RETURN_NONE;
        }
    /* (kept open for good: the process shapes with it to the end) */
    memcpy(&hb, found, sizeof hb);
    if ((hb_buf = hb.buffer_create()) == NULL || !hb.buffer_allocation_successful(hb_buf)) {
        memset(&hb, 0, sizeof hb);
        return PyErr_NoMemory();
    }
    if ((hb_version = PyUnicode_FromString(hb.version_string())) == NULL) {
        memset(&hb, 0, sizeof hb);
        return NULL;
    }
    Py_INCREF(hb_version);
    return hb_version;
#else
    (void)self;
    (void)arg;
    Py_RETURN_NONE;
#endif
}

typedef struct {
    void *blob, *face, *font;
    PyObject *data; /* the font's bytes, which the blob reads in place */
} HbFont;

static void hb_font_free(PyObject *cap)
{
    HbFont *f = PyCapsule_GetPointer(cap, HB_FONT);
    if (f == NULL)
        return;
    hb.font_destroy(f->font);
    hb.face_destroy(f->face);
    hb.blob_destroy(f->blob);
    Py_DECREF(f->data);
    PyMem_Free(f);
}

/* hb_font(data, index) -> (font, upem): a HarfBuzz font of face `index` of the font file's bytes,
   scaled to its units per em (as fonts.py scales uharfbuzz's). */
static PyObject *hb_font(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    HbFont *f;
    PyObject *cap;
    long index;
    unsigned int upem;
    (void)self;
    if (hb_version == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "HarfBuzz is not bound (bind_harfbuzz)");
        return NULL;
    }
    if (nargs != 2 || !PyBytes_CheckExact(args[0]) || !PyLong_CheckExact(args[1])) {
        PyErr_SetString(PyExc_TypeError, "hb_font(data: bytes, index: int)");
        return NULL;
    }
    index = PyLong_AsLong(args[1]);
    if ((index == -1 && PyErr_Occurred()) || index < 0 || PyBytes_GET_SIZE(args[0]) > 0x7FFFFFFF) {
        PyErr_SetString(PyExc_ValueError, "a face index or font size out of range");
        return NULL;
    }
    if ((f = PyMem_Calloc(1, sizeof *f)) == NULL)
        return PyErr_NoMemory();
    f->data = args[0];
    Py_INCREF(f->data);
    f->blob = hb.blob_create(PyBytes_AS_STRING(f->data), (unsigned int)PyBytes_GET_SIZE(f->data),
                             HB_MEMORY_MODE_READONLY, NULL, NULL);
    f->face = hb.face_create(f->blob, (unsigned int)index);
    f->font = hb.font_create(f->face);
    upem = hb.face_get_upem(f->face);
    hb.font_set_scale(f->font, (int)upem, (int)upem);
    if ((cap = PyCapsule_New(f, HB_FONT, hb_font_free)) == NULL) {
        hb.font_destroy(f->font);
        hb.face_destroy(f->face);
        hb.blob_destroy(f->blob);
        Py_DECREF(f->data);
        PyMem_Free(f);
        return NULL;
    }
    return Py_BuildValue("(NI)", cap, upem);
}

/* hb_extents(font, gid) -> (x_bearing, y_bearing, width, height), or None (no extents) */
static PyObject *hb_extents(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    HbFont *f;
    hb_glyph_extents_t e;
    unsigned long gid;
    (void)self;
    if (nargs != 2 || (f = PyCapsule_GetPointer(args[0], HB_FONT)) == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "hb_extents(font, gid)");
        return NULL;
    }
    gid = PyLong_AsUnsignedLong(args[1]);
    if (gid == (unsigned long)-1 && PyErr_Occurred())
        return NULL;
    if (gid > 0xFFFFFFFFUL || !hb.font_get_glyph_extents(f->font, (uint32_t)gid, &e))
        Py_RETURN_NONE;
    return Py_BuildValue("(iiii)", (int)e.x_bearing, (int)e.y_bearing, (int)e.width, (int)e.height);
}

/* shape(font, text, features, c2g, g2c, widths, scale, Shaped) -> Shaped, None or NotImplemented:
   `text` shaped by HarfBuzz with `features` (a dict of name -> bool or int, as uharfbuzz takes
   them), then glyph_run. NotImplemented for features of another kind (the Python API shapes then). */
static PyObject *shape(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    HbFont *f;
    PyObject *text, *features, *name, *value;
    hb_feature_t feats[16];
    unsigned int nf = 0, ng, i;
    Py_ssize_t pos = 0, n;
    Py_UCS4 *ucs4;
    hb_glyph_info_t *infos;
    hb_glyph_position_t *positions;
    GlyphIn *gl;
    PyObject *res;
    (void)self;
    if (nargs != 8 || (f = PyCapsule_GetPointer(args[0], HB_FONT)) == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "shape takes 8 arguments");
        return NULL;
    }
    text = args[1];
    features = args[2];
    if (!PyUnicode_CheckExact(text) || !PyDict_CheckExact(features) || !PyDict_CheckExact(args[3]) ||
        !PyDict_CheckExact(args[4]) || !PyDict_CheckExact(args[5]) || !PyFloat_CheckExact(args[6]) ||
        PyUnicode_GET_LENGTH(text) > 0x7FFFFFF)
        Py_RETURN_NOTIMPLEMENTED;
    while (PyDict_Next(features, &pos, &name, &value)) {
        Py_ssize_t len;
        const char *s;
        long v;
        if (nf == sizeof feats / sizeof feats[0] || !PyUnicode_CheckExact(name) || !PyLong_Check(value))
            Py_RETURN_NOTIMPLEMENTED; /* (bool is an int, as uharfbuzz takes it) */
        if ((s = PyUnicode_AsUTF8AndSize(name, &len)) == NULL || len > 64)
            goto decline_clear;
        v = PyLong_AsLong(value);
        if ((v == -1 && PyErr_Occurred()) || v < 0 || v > 0xFFFFFFFFL)
            goto decline_clear;
        if (!hb.feature_from_string(s, (int)len, &feats[nf]))
            Py_RETURN_NOTIMPLEMENTED; /* (a name HarfBuzz does not parse: the Python API's way) */
        feats[nf++].value = (uint32_t)v;
    }
    n = PyUnicode_GET_LENGTH(text);
    if ((ucs4 = PyUnicode_AsUCS4Copy(text)) == NULL)
        return NULL;
    hb.buffer_clear_contents(hb_buf);
    hb.buffer_add_utf32(hb_buf, (const uint32_t *)ucs4, (int)n, 0, -1);
    PyMem_Free(ucs4);
    if (!hb.buffer_allocation_successful(hb_buf))
        return PyErr_NoMemory();
    hb.buffer_guess_segment_properties(hb_buf);
    hb.shape(f->font, hb_buf, feats, nf);
    infos = hb.buffer_get_glyph_infos(hb_buf, &ng);
    positions = hb.buffer_get_glyph_positions(hb_buf, &i);
    if (i != ng)
        Py_RETURN_NOTIMPLEMENTED;
    if ((gl = PyMem_Malloc(sizeof(GlyphIn) * ((size_t)ng + 1))) == NULL)
        return PyErr_NoMemory();
    for (i = 0; i < ng; i++) {
        gl[i].cluster = infos[i].cluster;
        gl[i].gid = infos[i].codepoint;
        gl[i].xa = positions[i].x_advance;
        gl[i].xo = positions[i].x_offset;
        gl[i].yo = positions[i].y_offset;
    }
    res = glyph_run(text, gl, (Py_ssize_t)ng, args[3], args[4], args[5], PyFloat_AS_DOUBLE(args[6]), args[7]);
    PyMem_Free(gl);
    return res;
decline_clear:
    PyErr_Clear();
    Py_RETURN_NOTIMPLEMENTED;
}

/* A list of exactly n plain floats into out; 0 if it is anything else. */
static int floats(PyObject *list, Py_ssize_t n, double *out)
{
    if (!PyList_CheckExact(list) || PyList_GET_SIZE(list) != n)
        return 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyList_GET_ITEM(list, i);
        if (!PyFloat_CheckExact(v))
            return 0;
        out[i] = PyFloat_AS_DOUBLE(v);
    }
    return 1;
}

/* A list of exactly n small plain ints into out; 0 if it is anything else. */
static int ints(PyObject *list, Py_ssize_t n, long long *out)
{
    if (!PyList_CheckExact(list) || PyList_GET_SIZE(list) != n)
        return 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyList_GET_ITEM(list, i);
        int overflow = 0;
        if (!PyLong_CheckExact(v))
            return 0;
        out[i] = PyLong_AsLongLongAndOverflow(v, &overflow);
        if (overflow || out[i] > (1LL << 40) || out[i] < -(1LL << 40))
            return 0;
    }
    return 1;
}

/* A list of exactly n bools; 0 if it is anything else. */
static int bools(PyObject *list, Py_ssize_t n)
{
    if (!PyList_CheckExact(list) || PyList_GET_SIZE(list) != n)
        return 0;
    for (Py_ssize_t i = 0; i < n; i++)
        if (!PyBool_Check(PyList_GET_ITEM(list, i)))
            return 0;
    return 1;
}

/* A number attribute of a shaped run as a double (a plain float or int); -1 with no exception
   when it is anything else, -1 with an exception on an error. */
static int attr_double(PyObject *o, PyObject *name, double *out)
{
    PyObject *v = PyObject_GetAttr(o, name);
    if (v == NULL)
        return -1;
    if (PyFloat_CheckExact(v))
        *out = PyFloat_AS_DOUBLE(v);
    else if (PyLong_CheckExact(v)) {
        *out = PyLong_AsDouble(v);
        if (*out == -1.0 && PyErr_Occurred()) {
            PyErr_Clear();
            Py_DECREF(v);
            return -1;
        }
    } else {
        Py_DECREF(v);
        return -1;
    }
    Py_DECREF(v);
    return 0;
}

/* The share of a character's width that hangs outside the measure: table[ch] * face.width(ch, size)
   for the first (`last` 0) or last character of a run's text; 0.0 for a character not in the table
   (Python multiplies 0.0 by the width there: a zero either way, and only ever added or
   subtracted). Returns -1 on an error (with an exception), -2 to decline. */
static int hang(PyObject *run, int last, PyObject *table, PyObject *size, double *out)
{
    PyObject *shaped = PyTuple_GET_ITEM(run, 1), *text, *ch, *v, *w;
    Py_ssize_t n;
    *out = 0.0;
    text = PyObject_GetAttr(shaped, s_text);
    if (text == NULL)
        return -1;
    if (!PyUnicode_CheckExact(text)) {
        Py_DECREF(text);
        return -2;
    }
    n = PyUnicode_GET_LENGTH(text);
    if (n == 0) {
        Py_DECREF(text);
        return 0;
    }
    ch = PyUnicode_Substring(text, last ? n - 1 : 0, last ? n : 1);
    Py_DECREF(text);
    if (ch == NULL)
        return -1;
    v = PyDict_GetItemWithError(table, ch);
    if (v == NULL) {
        Py_DECREF(ch);
        return PyErr_Occurred() ? -1 : 0;
    }
    if (!PyFloat_CheckExact(v)) {
        Py_DECREF(ch);
        return -2;
    }
    w = PyObject_CallMethodObjArgs(PyTuple_GET_ITEM(run, 0), s_width, ch, size, NULL);
    Py_DECREF(ch);
    if (w == NULL)
        return -1;
    if (!PyFloat_CheckExact(w)) {
        Py_DECREF(w);
        return -2;
    }
    *out = PyFloat_AS_DOUBLE(v) * PyFloat_AS_DOUBLE(w);
    Py_DECREF(w);
    return 0;
}

typedef struct {
    Py_ssize_t nruns, nboxes;
    PyObject *runs; /* a new list of every box's runs, (face, shaped, colour) each */
    PyObject *flag;
    double *gaps, *stretch, *shrink, *wk, *wsz; /* per run */
    double *bgw, *bgy, *bgz;                    /* per box */
    long long *glyphs, *firsts, *seps;
    unsigned char *before;
    double *g; /* one line's spaces: its runs', then the hyphen's */
} Para;

static void para_free(Para *p)
{
    Py_CLEAR(p->runs);
    PyMem_Free(p->gaps);
    PyMem_Free(p->bgw);
    PyMem_Free(p->glyphs);
    PyMem_Free(p->firsts);
    PyMem_Free(p->seps);
    PyMem_Free(p->before);
    PyMem_Free(p->g);
}

/* The paragraph's runs as columns, as justify._gather gathers them: each box's runs in order, the
   space (its width, stretch and shrink) before a box's first run when a word space follows the
   box before, each run's width as the natural width sums it (w * (size / 1000)) and as
   Line.advance computes it (w * size / 1000), and its glyph count. Returns 1, 0 to decline, -1 on
   an error (with an exception). */
static int para_read(Para *p, PyObject *boxes, PyObject *sep, PyObject *gw, PyObject *gy, PyObject *gz, double size)
{
    Py_ssize_t nb, bi, r;
    double k = size / 1000.0;
    if (!PyList_CheckExact(boxes))
        return 0;
    nb = p->nboxes = PyList_GET_SIZE(boxes);
    p->bgw = PyMem_Malloc(sizeof(double) * (3 * (size_t)nb + 1));
    p->firsts = PyMem_Malloc(sizeof(long long) * ((size_t)nb + 1));
    p->seps = PyMem_Malloc(sizeof(long long) * ((size_t)nb + 1));
    p->runs = PyList_New(0);
    if (!p->bgw || !p->firsts || !p->seps || !p->runs) {
        PyErr_NoMemory();
        return -1;
    }
    p->bgy = p->bgw + nb;
    p->bgz = p->bgy + nb;
    if (!ints(sep, nb, p->seps) || !floats(gw, nb, p->bgw) || !floats(gy, nb, p->bgy) || !floats(gz, nb, p->bgz) ||
        !bools(p->flag, nb))
        return 0;
    for (bi = 0; bi < nb; bi++) {
        PyObject *segs = PyObject_GetAttr(PyList_GET_ITEM(boxes, bi), s_segs);
        Py_ssize_t j;
        if (segs == NULL)
            return -1;
        if (!PyTuple_CheckExact(segs) || PyTuple_GET_SIZE(segs) == 0) {
            Py_DECREF(segs);
            return 0;
        }
        p->firsts[bi] = PyList_GET_SIZE(p->runs);
        for (j = 0; j < PyTuple_GET_SIZE(segs); j++) {
            PyObject *run = PyTuple_GET_ITEM(segs, j);
            if (!PyTuple_CheckExact(run) || PyTuple_GET_SIZE(run) != 3) {
                Py_DECREF(segs);
                return 0;
            }
            if (PyList_Append(p->runs, run) < 0) {
                Py_DECREF(segs);
                return -1;
            }
        }
        Py_DECREF(segs);
    }
    p->firsts[nb] = p->nruns = PyList_GET_SIZE(p->runs);
    p->gaps = PyMem_Malloc(sizeof(double) * (5 * (size_t)p->nruns + 1));
    p->glyphs = PyMem_Malloc(sizeof(long long) * ((size_t)p->nruns + 1));
    p->before = PyMem_Malloc((size_t)p->nruns + 1);
    p->g = PyMem_Malloc(sizeof(double) * ((size_t)p->nruns + 2));
    if (!p->gaps || !p->glyphs || !p->before || !p->g) {
        PyErr_NoMemory();
        return -1;
    }
    p->stretch = p->gaps + p->nruns;
    p->shrink = p->stretch + p->nruns;
    p->wk = p->shrink + p->nruns;
    p->wsz = p->wk + p->nruns;
    for (r = 0; r < p->nruns; r++) {
        PyObject *shaped = PyTuple_GET_ITEM(PyList_GET_ITEM(p->runs, r), 1), *gl;
        double w;
        int overflow = 0, rc = attr_double(shaped, s_width, &w);
        if (rc < 0)
            return PyErr_Occurred() ? -1 : 0;
        gl = PyObject_GetAttr(shaped, s_glyphs);
        if (gl == NULL)
            return -1;
        p->glyphs[r] = PyLong_CheckExact(gl) ? PyLong_AsLongLongAndOverflow(gl, &overflow) : -1;
        Py_DECREF(gl);
        if (overflow || p->glyphs[r] < 0 || p->glyphs[r] > (1LL << 40))
            return 0;
        p->wk[r] = w * k;
        p->wsz[r] = w * size / 1000.0;
        p->gaps[r] = p->stretch[r] = p->shrink[r] = 0.0;
        p->before[r] = 0;
    }
    for (bi = 1; bi < nb; bi++) {
        if (p->seps[bi - 1] == SPACE) {
            r = p->firsts[bi];
            p->before[r] = 1;
            p->gaps[r] = p->bgw[bi - 1];
            p->stretch[r] = p->bgy[bi - 1];
            p->shrink[r] = p->bgz[bi - 1];
        }
    }
    return 1;
}

/* One line: its spans made and placed, its Line made. Returns a new reference, NULL on an error,
   or Py_None (a new reference) to decline. */
static PyObject *one_line(Para *p, Py_ssize_t li, Py_ssize_t nlines, Py_ssize_t s, Py_ssize_t e, PyObject *width,
                          PyObject *ratio, PyObject *size_o, int justify, int align, double indent, PyObject *para,
                          int optical, double letter, double gs_lo, double gs_hi, double ws_ratio,
                          PyObject *hang_left, PyObject *hang_right, PyObject *Span, PyObject *Line)
{
    Py_ssize_t a = p->firsts[s], b = p->firsts[e + 1], n, i;
    int last = li == nlines - 1, sep_e = (int)p->seps[e], flag_e = PyList_GET_ITEM(p->flag, e) == Py_True;
    int has_hyph = !last && sep_e == HYPH, justified = justify && !last, rc;
    int hyphenated = has_hyph || (!last && sep_e == JOIN && flag_e);
    int breaks_word = !last && (sep_e == HYPH || sep_e == JOIN);
    int letters = last || !(sep_e == JOIN && !flag_e);
    double size = PyFloat_AS_DOUBLE(size_o), L = PyFloat_AS_DOUBLE(width);
    double x0 = li == 0 ? indent : 0.0, hang_l = 0.0, hang_r = 0.0, target, nat_boxes = 0.0, nat_gaps = 0.0;
    double tracking = 0.0, scale = 1.0, x, over, hw = 0.0, hwk = 0.0, hwsz = 0.0;
    long long glyphs = 0, hglyphs = 0;
    PyObject *hrun = NULL, *spans = NULL, *line = NULL, *args[12];

    if (b <= a || b > p->nruns)
        Py_RETURN_NONE;
    if (has_hyph) {
        PyObject *lastrun = PyList_GET_ITEM(p->runs, b - 1), *hs;
        hs = PyObject_CallMethodOneArg(PyTuple_GET_ITEM(lastrun, 0), s_shape, s_dash);
        if (hs == NULL)
            return NULL;
        if (attr_double(hs, s_width, &hw) < 0) {
            Py_DECREF(hs);
            if (PyErr_Occurred())
                return NULL;
            Py_RETURN_NONE;
        }
        {
            PyObject *gl = PyObject_GetAttr(hs, s_glyphs);
            int overflow = 0;
            if (gl == NULL) {
                Py_DECREF(hs);
                return NULL;
            }
            hglyphs = PyLong_CheckExact(gl) ? PyLong_AsLongLongAndOverflow(gl, &overflow) : -1;
            Py_DECREF(gl);
            if (overflow || hglyphs < 0 || hglyphs > (1LL << 40)) {
                Py_DECREF(hs);
                Py_RETURN_NONE;
            }
        }
        hrun = PyTuple_Pack(3, PyTuple_GET_ITEM(lastrun, 0), hs, PyTuple_GET_ITEM(lastrun, 2));
        Py_DECREF(hs);
        if (hrun == NULL)
            return NULL;
        hwk = hw * (size / 1000.0);
        hwsz = hw * size / 1000.0;
    }
    n = b - a + has_hyph;
    /* The line's spaces: none before its first run, none before the hyphen. */
    for (i = 0; i < b - a; i++)
        p->g[i] = i == 0 ? 0.0 : p->gaps[a + i];
    if (has_hyph)
        p->g[n - 1] = 0.0;

    if (optical && justify) {
        if (li > 0 || indent == 0.0) {
            rc = hang(PyList_GET_ITEM(p->runs, a), 0, hang_left, size_o, &hang_l);
            if (rc < 0)
                goto decline_or_fail;
        }
        if (!last) {
            rc = hang(hrun ? hrun : PyList_GET_ITEM(p->runs, b - 1), 1, hang_right, size_o, &hang_r);
            if (rc < 0)
                goto decline_or_fail;
        }
    }
    target = L + hang_l + hang_r;
    for (i = a; i < b; i++)
        nat_boxes += p->wk[i];
    if (has_hyph)
        nat_boxes += hwk;
    for (i = 0; i < n; i++)
        nat_gaps += p->g[i];
    if (last && justify && nat_boxes + nat_gaps > target - 1.0)
        justified = 1;
    if (justified && !letters) {
        double st = 0.0;
        for (i = 0; i < n; i++)
            st += (i == 0 || i >= b - a) ? 0.0 : p->stretch[a + i];
        if (target - nat_boxes - nat_gaps > st)
            justified = 0;
    }
    for (i = a; i < b; i++)
        glyphs += p->glyphs[i];
    glyphs += hglyphs;
    if (justified) {
        double need = target - nat_boxes - nat_gaps, Y = 0.0, take, rem, adv = 0.0, room;
        const double *col = need >= 0 ? p->stretch : p->shrink;
        for (i = 0; i < n; i++)
            Y += (i == 0 || i >= b - a) ? 0.0 : col[a + i];
        take = Y > 0 ? pymax(-Y, pymin(need, Y)) : 0.0;
        rem = need - take;
        if (rem != 0.0 && glyphs > 1) {
            double fl = letter * size * (double)(glyphs - 1);
            double fs = (rem > 0 ? gs_hi - 1.0 : 1.0 - gs_lo) * nat_boxes;
            double cap = fl + fs;
            double t = cap > 0 ? pymax(-1.0, pymin(1.0, rem / cap)) : 0.0;
            scale = nat_boxes != 0.0 ? 1.0 + t * fs / nat_boxes : 1.0;
            tracking = t * fl / (double)(glyphs - 1) / scale;
        }
        for (i = 0; i < n; i++) {
            double w = i < b - a ? p->wsz[a + i] : hwsz;
            long long gl = i < b - a ? p->glyphs[a + i] : hglyphs;
            adv += (w + tracking * (double)gl) * scale;
        }
        adv -= tracking * scale;
        room = target - adv;
        if (nat_gaps > 0) {
            double factor = pymax(room / nat_gaps, ws_ratio);
            for (i = 0; i < n; i++)
                p->g[i] = p->g[i] * factor;
        } else if (glyphs > 1 && n >= 1) {
            double t = tracking + room / ((double)(glyphs - 1) * scale);
            double limit = letter * size;
            if (t > limit + 1e-9) {
                tracking = 0.0;
                scale = 1.0;
                justified = 0;
            } else
                tracking = pymax(t, -limit);
        }
    }
    x = x0 - hang_l;
    if (!justified) {
        double natural = nat_boxes + nat_gaps;
        if (align == 1)
            x = x0 + (L - natural) / 2;
        else if (align == 2)
            x = x0 + L - natural + hang_r;
    }
    spans = PyList_New(n);
    if (spans == NULL)
        goto fail;
    {
        double x_first = 0.0;
        for (i = 0; i < n; i++) {
            PyObject *run = i < b - a ? PyList_GET_ITEM(p->runs, a + i) : hrun, *sp;
            double w = i < b - a ? p->wsz[a + i] : hwsz;
            long long gl = i < b - a ? p->glyphs[a + i] : hglyphs;
            PyObject *sargs[6];
            x += p->g[i];
            if (i == 0)
                x_first = x;
            sargs[0] = PyTuple_GET_ITEM(run, 0);
            sargs[1] = size_o;
            sargs[2] = PyTuple_GET_ITEM(run, 1);
            sargs[3] = PyFloat_FromDouble(x);
            if (sargs[3] == NULL)
                goto fail;
            sargs[4] = (i == 0 || i >= b - a || !p->before[a + i]) ? Py_False : Py_True;
            sargs[5] = PyTuple_GET_ITEM(run, 2);
            sp = make(&SPAN, Span, sargs, 6);
            Py_DECREF(sargs[3]);
            if (sp == NULL)
                goto fail;
            PyList_SET_ITEM(spans, i, sp);
            x += (w + tracking * (double)gl) * scale;
        }
        over = pymax(x - tracking * scale - (x0 + L + hang_r), (x0 - hang_l) - x_first);
    }
    args[0] = spans;
    args[1] = width;
    args[2] = PyFloat_FromDouble(tracking);
    args[3] = PyFloat_FromDouble(scale);
    args[4] = justified ? Py_True : Py_False;
    args[5] = hyphenated ? Py_True : Py_False;
    args[6] = li == 0 ? Py_True : Py_False;
    args[7] = last ? Py_True : Py_False;
    args[8] = ratio;
    args[9] = para;
    args[10] = PyFloat_FromDouble(over > 0.01 ? over : 0.0);
    args[11] = breaks_word ? Py_True : Py_False;
    if (args[2] && args[3] && args[10])
        line = make(&LINE, Line, args, 12);
    Py_XDECREF(args[2]);
    Py_XDECREF(args[3]);
    Py_XDECREF(args[10]);
    Py_DECREF(spans);
    Py_XDECREF(hrun);
    return line;

decline_or_fail:
    Py_XDECREF(hrun);
    if (rc == -1)
        return NULL;
    Py_RETURN_NONE;
fail:
    Py_XDECREF(spans);
    Py_XDECREF(hrun);
    return NULL;
}

static PyObject *set_lines(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Para p;
    PyObject *ends, *ratios, *widths, *size_o, *para, *hang_left, *hang_right, *Span, *Line, *nums, *out = NULL;
    int justify, align, optical, rc;
    double indent, letter, gs_lo, gs_hi, ws_ratio;
    Py_ssize_t nlines, i, s = 0;

    (void)self;
    if (nargs != 21) {
        PyErr_SetString(PyExc_TypeError, "set_lines takes 21 arguments");
        return NULL;
    }
    memset(&p, 0, sizeof p);
    p.flag = args[5];
    ends = args[6];
    ratios = args[7];
    widths = args[8];
    size_o = args[9];
    justify = PyObject_IsTrue(args[10]);
    align = (int)PyLong_AsLong(args[11]);
    para = args[13];
    optical = PyObject_IsTrue(args[14]);
    nums = args[16];
    Span = args[17];
    Line = args[18];
    hang_left = args[19];
    hang_right = args[20];
    if (justify < 0 || optical < 0 || (align == -1 && PyErr_Occurred()))
        return NULL;
    if (!PyList_CheckExact(ends) || !PyList_CheckExact(ratios) || !PyList_CheckExact(widths) ||
        !PyFloat_CheckExact(size_o) || !PyFloat_CheckExact(args[12]) || !PyFloat_CheckExact(args[15]) ||
        !PyTuple_CheckExact(nums) || PyTuple_GET_SIZE(nums) != 3 || !PyDict_CheckExact(hang_left) ||
        !PyDict_CheckExact(hang_right))
        Py_RETURN_NONE;
    for (i = 0; i < 3; i++)
        if (!PyFloat_CheckExact(PyTuple_GET_ITEM(nums, i)))
            Py_RETURN_NONE;
    indent = PyFloat_AS_DOUBLE(args[12]);
    letter = PyFloat_AS_DOUBLE(args[15]);
    gs_lo = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(nums, 0));
    gs_hi = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(nums, 1));
    ws_ratio = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(nums, 2));
    nlines = PyList_GET_SIZE(ends);
    if (PyList_GET_SIZE(widths) != nlines)
        Py_RETURN_NONE;
    for (i = 0; i < nlines; i++)
        if (!PyFloat_CheckExact(PyList_GET_ITEM(widths, i)))
            Py_RETURN_NONE;
    rc = para_read(&p, args[0], args[1], args[2], args[3], args[4], PyFloat_AS_DOUBLE(size_o));
    if (rc < 0)
        goto fail;
    if (rc == 0)
        goto decline;
    out = PyList_New(nlines);
    if (out == NULL)
        goto fail;
    for (i = 0; i < nlines; i++) {
        PyObject *eo = PyList_GET_ITEM(ends, i), *ratio, *line;
        Py_ssize_t e;
        if (!PyLong_CheckExact(eo))
            goto decline;
        e = PyLong_AsSsize_t(eo);
        if (e == -1 && PyErr_Occurred()) {
            PyErr_Clear();
            goto decline;
        }
        if (e < s || e >= p.nboxes)
            goto decline;
        ratio = i < PyList_GET_SIZE(ratios) ? PyList_GET_ITEM(ratios, i) : NULL;
        if (ratio == NULL) {
            ratio = PyFloat_FromDouble(0.0);
            if (ratio == NULL)
                goto fail;
        } else
            Py_INCREF(ratio);
        line = one_line(&p, i, nlines, s, e, PyList_GET_ITEM(widths, i), ratio, size_o, justify, align, indent,
                        para, optical, letter, gs_lo, gs_hi, ws_ratio, hang_left, hang_right, Span, Line);
        Py_DECREF(ratio);
        if (line == NULL)
            goto fail;
        if (line == Py_None) {
            Py_DECREF(line);
            goto decline;
        }
        PyList_SET_ITEM(out, i, line);
        s = e + 1;
    }
    para_free(&p);
    return out;
decline:
    Py_XDECREF(out);
    para_free(&p);
    Py_RETURN_NONE;
fail:
    Py_XDECREF(out);
    para_free(&p);
    return NULL;
}

/* line_ink(spans) -> (up, down): the highest top and lowest bottom of the spans' glyph ink from the
   baseline, in points, as line.line_ink_python reckons them (each span's Face.ink of its text,
   remembered in the face's `_inks`, times its size / 1000; 0.0 when none is higher or lower);
   NotImplemented for anything it does not expect (a size or an ink that is not a float). */
static PyObject *s_face, *s_size, *s_shaped, *s_inks, *s_ink;

/* A field of an object made of a registered class, read from its slot (borrowed; NULL if unset). */
static PyObject *slot(PyObject *o, Maker *m, int i) { return *(PyObject **)((char *)o + m->off[i]); }

static PyObject *s_char_inks;

/* A word's ink as Face._ink_of reckons it from its characters' (the face's `_ink`: (top, bottom) by
   character), remembered in `inks` as Face.ink remembers it; NULL without an error when a character
   has not been measured yet, or anything is not as expected (Face.ink is then called). Every
   measured word goes through here once: 3,400 words of the benchmark issue, about 4 ms in Python. */
static PyObject *word_ink(PyObject *face, PyObject *inks, PyObject *text)
{
    PyObject *chars, *r;
    double top = 0.0, bottom = 0.0;
    if (!PyDict_CheckExact(inks) || !PyUnicode_CheckExact(text))
        return NULL;
    if ((chars = PyObject_GetAttr(face, s_char_inks)) == NULL) {
        PyErr_Clear();
        return NULL;
    }
    if (!PyDict_CheckExact(chars)) {
        Py_DECREF(chars);
        return NULL;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(text); i++) {
        PyObject *ch = PyUnicode_FromOrdinal(PyUnicode_READ(kind, data, i)), *ext;
        if (ch == NULL) {
            Py_DECREF(chars);
            return NULL;
        }
        ext = PyDict_GetItemWithError(chars, ch); /* borrowed */
        Py_DECREF(ch);
        if (ext == NULL || !PyTuple_CheckExact(ext) || PyTuple_GET_SIZE(ext) != 2 ||
            !PyFloat_CheckExact(PyTuple_GET_ITEM(ext, 0)) || !PyFloat_CheckExact(PyTuple_GET_ITEM(ext, 1))) {
            Py_DECREF(chars);
            PyErr_Clear(); /* (a lookup that raised: Face.ink answers, or raises it again) */
            return NULL;
        }
        double t = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(ext, 0)), b = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(ext, 1));
        if (t != b) { /* a character that leaves ink; the extremes kept as _ink_of keeps them */
            if (t > top)
                top = t;
            if (b < bottom)
                bottom = b;
        }
    }
    Py_DECREF(chars);
    if ((r = Py_BuildValue("(dd)", top, bottom)) == NULL)
        return NULL;
    if (PyDict_SetItem(inks, text, r) < 0) {
        Py_DECREF(r);
        return NULL;
    }
    return r;
}

/* The spans' ink into *up, *down: 1 done, 0 an error raised, 2 something it does not expect. */
static int spans_ink(PyObject *spans, double *up_out, double *down_out)
{
    double up = 0.0, down = 0.0;
    PyObject *last_face = NULL, *last_inks = NULL; /* faces repeat along a line: their `_inks` read once */
    int result = 1;                                /* 1 done, 0 error, 2 NotImplemented */
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(spans) && result == 1; i++) {
        PyObject *sp = PyList_GET_ITEM(spans, i);
        PyObject *face = NULL, *shaped = NULL, *text = NULL, *size = NULL, *inks = NULL, *r = NULL;
        int ok = 0, fast = 0;
        if (INK_FIELDS && Py_IS_TYPE(sp, SPAN.type) && (shaped = slot(sp, &SPAN, 2)) != NULL &&
            Py_IS_TYPE(shaped, SHAPED.type) && (face = slot(sp, &SPAN, 0)) != NULL &&
            (size = slot(sp, &SPAN, 1)) != NULL && (text = slot(shaped, &SHAPED, 0)) != NULL) {
            fast = 1; /* borrowed: the list holds the span, the span its fields */
            if (face != last_face) {
                Py_CLEAR(last_inks);
                last_face = NULL;
                if ((last_inks = PyObject_GetAttr(face, s_inks)) == NULL)
                    goto next;
                last_face = face;
            }
            inks = last_inks;
        } else {
            face = shaped = text = size = NULL;
            if ((face = PyObject_GetAttr(sp, s_face)) == NULL || (shaped = PyObject_GetAttr(sp, s_shaped)) == NULL ||
                (text = PyObject_GetAttr(shaped, s_text)) == NULL || (size = PyObject_GetAttr(sp, s_size)) == NULL)
                goto next;
            inks = PyObject_GetAttr(face, s_inks);
            if (inks == NULL)
                goto next;
        }
        if (PyDict_CheckExact(inks) && (r = PyDict_GetItemWithError(inks, text)) != NULL)
            Py_INCREF(r);
        else if (PyErr_Occurred())
            goto next;
        else if ((r = word_ink(face, inks, text)) == NULL &&
                 (PyErr_Occurred() || (r = PyObject_CallMethodOneArg(face, s_ink, text)) == NULL))
            goto next;
        if (PyFloat_CheckExact(size) && PyTuple_CheckExact(r) && PyTuple_GET_SIZE(r) == 2 &&
            PyFloat_CheckExact(PyTuple_GET_ITEM(r, 0)) && PyFloat_CheckExact(PyTuple_GET_ITEM(r, 1))) {
            double z = PyFloat_AS_DOUBLE(size);
            double t = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(r, 0)) * z / 1000.0;
            double b = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(r, 1)) * z / 1000.0;
            if (t > up)
                up = t;
            if (b < down)
                down = b;
            ok = 1;
        } else {
            ok = 2;
        }
    next:
        if (!fast) {
            Py_XDECREF(face);
            Py_XDECREF(shaped);
            Py_XDECREF(text);
            Py_XDECREF(size);
            Py_XDECREF(inks);
        }
        Py_XDECREF(r);
        result = ok;
    }
    Py_XDECREF(last_inks);
    *up_out = up;
    *down_out = down;
    return result;
}

static PyObject *line_ink(PyObject *self, PyObject *spans)
{
    double up, down;
    int r;
    if (!PyList_Check(spans))
        Py_RETURN_NOTIMPLEMENTED;
    if ((r = spans_ink(spans, &up, &down)) == 2)
        Py_RETURN_NOTIMPLEMENTED;
    if (r == 0)
        return NULL;
    return Py_BuildValue("(dd)", up, down);
}

/* A registered object's field that must be a float (borrowed), or NULL. */
static PyObject *float_slot(PyObject *o, Maker *m, Py_ssize_t i)
{
    PyObject *v = i >= 0 ? slot(o, m, (int)i) : NULL;
    return v != NULL && PyFloat_CheckExact(v) ? v : NULL;
}

/* text_ink(item) -> (x0, top, x1, bottom), None or NotImplemented: where a text item (its x,
   baseline and line, read by name) leaves glyph ink on the page, as containment.ink reckons it in
   Python (x + the first span's x, baseline - up, x + line.right, baseline - down; None when up ==
   down), for the containment check, which asks it of every line of an issue. NotImplemented for
   anything it does not expect (a field of another type, a line or span of another class). */
static PyObject *s_x, *s_baseline, *s_line;

static PyObject *text_ink(PyObject *self, PyObject *it)
{
    PyObject *x = NULL, *bl = NULL, *line = NULL, *spans, *first, *last, *shaped, *tr, *sc, *fx, *lx, *w, *z, *g;
    PyObject *result = Py_NotImplemented;
    double up, down;
    int r;
    if (!INK_FIELDS || SPAN_X < 0 || SHAPED_WIDTH < 0 || SHAPED_GLYPHS < 0 || LINE_SPANS < 0 || LINE_TRACKING < 0 ||
        LINE_SCALE < 0)
        Py_RETURN_NOTIMPLEMENTED;
    if ((x = PyObject_GetAttr(it, s_x)) == NULL || (bl = PyObject_GetAttr(it, s_baseline)) == NULL ||
        (line = PyObject_GetAttr(it, s_line)) == NULL) {
        result = NULL;
        goto done;
    }
    if (!PyFloat_CheckExact(x) || !PyFloat_CheckExact(bl) || !Py_IS_TYPE(line, LINE.type))
        goto done;
    spans = slot(line, &LINE, (int)LINE_SPANS); /* borrowed: the line holds them */
    if (spans == NULL || !PyList_CheckExact(spans) || PyList_GET_SIZE(spans) == 0)
        goto done;
    if ((r = spans_ink(spans, &up, &down)) != 1) {
        if (r == 0)
            result = NULL;
        goto done;
    }
    if (up == down) {
        result = Py_None;
        goto done;
    }
    first = PyList_GET_ITEM(spans, 0);
    last = PyList_GET_ITEM(spans, PyList_GET_SIZE(spans) - 1);
    if (!Py_IS_TYPE(first, SPAN.type) || !Py_IS_TYPE(last, SPAN.type))
        goto done;
    shaped = slot(last, &SPAN, 2);
    if (shaped == NULL || !Py_IS_TYPE(shaped, SHAPED.type))
        goto done;
    tr = float_slot(line, &LINE, LINE_TRACKING);
    sc = float_slot(line, &LINE, LINE_SCALE);
    fx = float_slot(first, &SPAN, SPAN_X);
    lx = float_slot(last, &SPAN, SPAN_X);
    z = float_slot(last, &SPAN, 1);
    w = float_slot(shaped, &SHAPED, SHAPED_WIDTH);
    g = slot(shaped, &SHAPED, (int)SHAPED_GLYPHS);
    if (!tr || !sc || !fx || !lx || !z || !w || g == NULL || !PyLong_CheckExact(g))
        goto done;
    {
        double glyphs = PyLong_AsDouble(g);
        if (glyphs == -1.0 && PyErr_Occurred()) {
            PyErr_Clear();
            goto done;
        }
        double xv = PyFloat_AS_DOUBLE(x), blv = PyFloat_AS_DOUBLE(bl);
        double t = PyFloat_AS_DOUBLE(tr), s = PyFloat_AS_DOUBLE(sc);
        /* Line.advance and Line.right, in their order of operations */
        double adv = (PyFloat_AS_DOUBLE(w) * PyFloat_AS_DOUBLE(z) / 1000.0 + t * glyphs) * s;
        double right = PyFloat_AS_DOUBLE(lx) + adv - t * s;
        result = Py_BuildValue("(dddd)", xv + PyFloat_AS_DOUBLE(fx), blv - up, xv + right, blv - down);
        goto out;
    }
done:
    Py_XINCREF(result);
out:
    Py_XDECREF(x);
    Py_XDECREF(bl);
    Py_XDECREF(line);
    return result;
}

static PyMethodDef methods[] = {
    {"set_lines", (PyCFunction)(void (*)(void))set_lines, METH_FASTCALL,
     "set_lines(boxes, sep, gw, gy, gz, flag, ends, ratios, widths, size, justify, align, indent, para,\n"
     "optical, letter_spacing, (gs_lo, gs_hi, ws_ratio), Span, Line, hang_left, hang_right)\n"
     "-> list of Line, or None to decline (see justify.build_lines_python)"},
    {"register", do_register, METH_VARARGS,
     "register(Span, fields, Shaped, fields, Line, fields) -> bool: make these without calling them"},
    {"make", (PyCFunction)(void (*)(void))do_make, METH_FASTCALL, "make(cls, *values): as register()ed"},
    {"glyphs", (PyCFunction)(void (*)(void))glyphs, METH_FASTCALL,
     "glyphs(text, infos, positions, c2g, g2c, widths, scale, Shaped) -> Shaped, None or NotImplemented"},
    {"bind_harfbuzz", bind_harfbuzz, METH_O, "bind_harfbuzz(path) -> HarfBuzz's version, or None (not bound)"},
    {"hb_font", (PyCFunction)(void (*)(void))hb_font, METH_FASTCALL, "hb_font(data, index) -> (font, upem)"},
    {"hb_extents", (PyCFunction)(void (*)(void))hb_extents, METH_FASTCALL,
     "hb_extents(font, gid) -> (x_bearing, y_bearing, width, height) or None"},
    {"shape", (PyCFunction)(void (*)(void))shape, METH_FASTCALL,
     "shape(font, text, features, c2g, g2c, widths, scale, Shaped) -> Shaped, None or NotImplemented"},
    {"encode", encode, METH_O, "encode(lines) -> cache entry, or None (see cache._encode)"},
    {"decode", (PyCFunction)(void (*)(void))decode, METH_FASTCALL,
     "decode(entry, faces, Span, Shaped, Line) -> lines, or None (see cache._decode_trusted)"},
    {"line_ink", line_ink, METH_O, "line_ink(spans) -> (up, down), or NotImplemented (see line.line_ink_python)"},
    {"text_ink", text_ink, METH_O,
     "text_ink(item) -> (x0, top, x1, bottom), None or NotImplemented (see page.containment.ink)"},
    {"checked", (PyCFunction)(void (*)(void))checked, METH_FASTCALL,
     "checked(entry, line_kinds, span_kinds) -> bool: cache._decode's checks all pass (False: run them)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_setlines", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__setlines(void)
{
    s_width = PyUnicode_InternFromString("width");
    s_shape = PyUnicode_InternFromString("shape");
    s_text = PyUnicode_InternFromString("text");
    s_glyphs = PyUnicode_InternFromString("glyphs");
    s_dash = PyUnicode_InternFromString("-");
    s_segs = PyUnicode_InternFromString("segs");
    s_cluster = PyUnicode_InternFromString("cluster");
    s_codepoint = PyUnicode_InternFromString("codepoint");
    s_x_advance = PyUnicode_InternFromString("x_advance");
    s_x_offset = PyUnicode_InternFromString("x_offset");
    s_y_offset = PyUnicode_InternFromString("y_offset");
    s_face = PyUnicode_InternFromString("face");
    s_size = PyUnicode_InternFromString("size");
    s_shaped = PyUnicode_InternFromString("shaped");
    s_inks = PyUnicode_InternFromString("_inks");
    s_ink = PyUnicode_InternFromString("ink");
    s_char_inks = PyUnicode_InternFromString("_ink");
    if (!s_char_inks)
        return NULL;
    s_x = PyUnicode_InternFromString("x");
    s_baseline = PyUnicode_InternFromString("baseline");
    s_line = PyUnicode_InternFromString("line");
    if (!s_x || !s_baseline || !s_line)
        return NULL;
    if (!s_width || !s_shape || !s_text || !s_glyphs || !s_dash || !s_segs || !s_cluster || !s_codepoint ||
        !s_x_advance || !s_x_offset || !s_y_offset || !s_face || !s_size || !s_shaped || !s_inks || !s_ink)
        return NULL;
    return PyModule_Create(&module);
}
