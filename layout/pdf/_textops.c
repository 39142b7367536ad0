/* _textops: TextWriter.line of layout/pdf/textops.py in C (an optional accelerator).

   Reads one line's spans (face.name, face.space, size, shaped.text, shaped.width, shaped.glyphs,
   x, space_before, color), the line's origin, tracking and scale, and the writer's tables (each
   word's TJ entry, each face's space glyph, each colour's operator), calling back into the writer
   for an entry, a space or a colour not made yet (in the order the Python code makes them: the
   fonts number their glyphs in that order); produces the line's operators as a list of strings,
   exactly those `TextWriter.line_python` appends. Equality with the Python code is the contract:
   doubles throughout, every sum and product in the Python order, no contraction of a*b+c (see
   setup.py's flags), numbers through CPython's own float formatting (PyOS_double_to_string, as
   f"{v:.3f}" uses).

   Returns None when a span holds anything the Python code might treat differently (a number that
   is not a plain float or a small int, a text that is not a str, an entry not of the writer's
   shape): the caller then runs the Python code, which stays the reference. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

static PyObject *s_face, *s_size, *s_shaped, *s_x, *s_space_before, *s_color, *s_name, *s_space,
    *s_text, *s_width, *s_glyphs, *s_sep;

enum { OK = 0, FALLBACK = 1, ERR = 2 };

/* A plain float, or an int that a double holds exactly: its value. */
static int number(PyObject *o, double *out)
{
    if (PyFloat_CheckExact(o)) {
        *out = PyFloat_AS_DOUBLE(o);
        return OK;
    }
    if (PyLong_CheckExact(o)) {
        int overflow = 0;
        long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
        if (overflow || v > (1LL << 53) || v < -(1LL << 53))
            return FALLBACK;
        if (v == -1 && PyErr_Occurred())
            return ERR;
        *out = (double)v;
        return OK;
    }
    return FALLBACK;
}

static int attr_number(PyObject *o, PyObject *name, double *out)
{
    PyObject *v = PyObject_GetAttr(o, name);
    int r;
    if (v == NULL)
        return ERR;
    r = number(v, out);
    Py_DECREF(v);
    return r;
}

/* _n(v): f"{v:.3f}" without trailing zeros or point, "-0" as "0"; into buf (NUL-terminated). */
static int fmt_num(double v, char *buf, size_t cap)
{
    char *s = PyOS_double_to_string(v, 'f', 3, 0, NULL);
    size_t n;
    if (s == NULL)
        return ERR;
    n = strlen(s);
    while (n > 0 && s[n - 1] == '0')
        n--;
    while (n > 0 && s[n - 1] == '.')
        n--;
    if (n == 0 || (n == 2 && s[0] == '-' && s[1] == '0')) {
        s[0] = '0';
        n = 1;
    }
    if (n + 1 > cap) {
        PyMem_Free(s);
        return FALLBACK; /* a number hundreds of digits long: the Python code writes it */
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    PyMem_Free(s);
    return OK;
}

#define NUMCAP 64

/* Append a new string to `list`, stealing it. */
static int put(PyObject *list, PyObject *s)
{
    int r;
    if (s == NULL)
        return ERR;
    r = PyList_Append(list, s);
    Py_DECREF(s);
    return r < 0 ? ERR : OK;
}

/* "[" + " ".join(tj) + "] TJ" appended to out; tj emptied. */
static int flush(PyObject *out, PyObject *tj)
{
    PyObject *joined;
    int r;
    if (PyList_GET_SIZE(tj) == 0)
        return OK;
    joined = PyUnicode_Join(s_sep, tj);
    if (joined == NULL)
        return ERR;
    r = put(out, PyUnicode_FromFormat("[%U] TJ", joined));
    Py_DECREF(joined);
    if (r != OK)
        return r;
    return PyList_SetSlice(tj, 0, PyList_GET_SIZE(tj), NULL) < 0 ? ERR : OK;
}

static int put_tm(PyObject *out, double x, const char *ys)
{
    char xs[NUMCAP];
    int r = fmt_num(x, xs, sizeof xs);
    if (r != OK)
        return r;
    return put(out, PyUnicode_FromFormat("1 0 0 1 %s %s Tm", xs, ys));
}

/* A table's value for `key`, or the callback's answer for `arg` (a new reference either way). */
static PyObject *lookup(PyObject *table, PyObject *key, PyObject *make, PyObject *arg)
{
    PyObject *v = PyDict_GetItemWithError(table, key);
    if (v != NULL) {
        Py_INCREF(v);
        return v;
    }
    if (PyErr_Occurred())
        return NULL;
    return PyObject_CallOneArg(make, arg);
}

typedef struct {
    PyObject *out, *tj;
    PyObject *cur_name; /* the subset font set, or NULL before the first (a strong reference) */
    double cur_size;
    PyObject *cur_color; /* strong; Py_None to begin with */
    double cursor;
    PyObject *prev_face; /* strong; NULL before the first span */
    double prev_size;
    int have_last;
    double last_v;
    PyObject *last_s; /* strong; the string of last_v */
    PyObject *entries, *spaces, *colors, *make_entry, *make_space, *make_color;
    double x0, tc, tz, tctz;
    const char *ys;
} State;

/* Is `name` the subset font set now, at `size`? (1 yes, 0 no, -1 error) */
static int current(State *st, PyObject *name, double size)
{
    if (st->cur_name == NULL || size != st->cur_size)
        return 0;
    return PyObject_RichCompareBool(name, st->cur_name, Py_EQ);
}

/* The entry's chunks, each (subset font, joined elements), with a Tf where the subset or size changes. */
static int put_chunks(State *st, PyObject *chunks, double size)
{
    Py_ssize_t i, n;
    char sizes[NUMCAP];
    int r, have_sizes = 0;
    if (!PyList_CheckExact(chunks))
        return FALLBACK;
    n = PyList_GET_SIZE(chunks);
    for (i = 0; i < n; i++) {
        PyObject *ch = PyList_GET_ITEM(chunks, i), *name, *joined;
        int same;
        if (!PyTuple_CheckExact(ch) || PyTuple_GET_SIZE(ch) != 2)
            return FALLBACK;
        name = PyTuple_GET_ITEM(ch, 0);
        joined = PyTuple_GET_ITEM(ch, 1);
        if (!PyUnicode_CheckExact(name) || !PyUnicode_CheckExact(joined))
            return FALLBACK;
        if ((same = current(st, name, size)) < 0)
            return ERR;
        if (!same) {
            if ((r = flush(st->out, st->tj)) != OK)
                return r;
            if (!have_sizes) {
                if ((r = fmt_num(size, sizes, NUMCAP)) != OK)
                    return r;
                have_sizes = 1;
            }
            if ((r = put(st->out, PyUnicode_FromFormat("%U %s Tf", name, sizes))) != OK)
                return r;
            Py_INCREF(name);
            Py_XSETREF(st->cur_name, name);
            st->cur_size = size;
        }
        if (PyList_Append(st->tj, joined) < 0)
            return ERR;
    }
    return OK;
}

/* The span's colour operator, if its colour is not the one set. */
static int put_color(State *st, PyObject *color)
{
    PyObject *col;
    int r, ne = PyObject_RichCompareBool(color, st->cur_color, Py_NE);
    if (ne <= 0)
        return ne < 0 ? ERR : OK;
    if ((r = flush(st->out, st->tj)) != OK)
        return r;
    if ((col = lookup(st->colors, color, st->make_color, color)) == NULL)
        return ERR;
    if (!PyUnicode_CheckExact(col)) {
        Py_DECREF(col);
        return FALLBACK;
    }
    if (put(st->out, col) != OK)
        return ERR;
    Py_INCREF(color);
    Py_SETREF(st->cur_color, color);
    return OK;
}

/* The space glyph before a span (in the font before it) when that font is the one set. */
static int put_space(State *st)
{
    PyObject *fname, *space, *sname, *sstr;
    double fspace;
    int r, same;
    if ((fname = PyObject_GetAttr(st->prev_face, s_name)) == NULL)
        return ERR;
    if (!PyUnicode_CheckExact(fname)) {
        Py_DECREF(fname);
        return FALLBACK;
    }
    space = lookup(st->spaces, fname, st->make_space, st->prev_face);
    Py_DECREF(fname);
    if (space == NULL)
        return ERR;
    r = FALLBACK;
    if (!PyTuple_CheckExact(space) || PyTuple_GET_SIZE(space) != 2)
        goto done;
    sname = PyTuple_GET_ITEM(space, 0);
    sstr = PyTuple_GET_ITEM(space, 1);
    if (!PyUnicode_CheckExact(sname) || !PyUnicode_CheckExact(sstr))
        goto done;
    if ((same = PyObject_RichCompareBool(sname, st->cur_name, Py_EQ)) < 0) {
        r = ERR;
        goto done;
    }
    if (same) {
        if ((r = attr_number(st->prev_face, s_space, &fspace)) != OK)
            goto done;
        if (PyList_Append(st->tj, sstr) < 0) {
            r = ERR;
            goto done;
        }
        st->cursor += fspace * st->prev_size * st->tz / 1000.0 + st->tctz;
    }
    r = OK;
done:
    Py_DECREF(space);
    return r;
}

/* The TJ offset for a gap between where the text position stands and where the span begins. */
static int put_gap(State *st, double x, double size)
{
    double gap = x - st->cursor, v;
    char buf[NUMCAP];
    int r;
    if (!(gap > 0.0005 || gap < -0.0005))
        return OK;
    v = -gap / (size * st->tz / 1000.0);
    if (!st->have_last || v != st->last_v) {
        if ((r = fmt_num(v, buf, sizeof buf)) != OK)
            return r;
        Py_XSETREF(st->last_s, PyUnicode_FromString(buf));
        if (st->last_s == NULL)
            return ERR;
        st->last_v = v;
        st->have_last = 1;
    }
    return PyList_Append(st->tj, st->last_s) < 0 ? ERR : OK;
}

/* The span's entry: the writer's, or made now (a new reference, checked for shape). */
static int get_entry(State *st, PyObject *face, PyObject *shaped, PyObject **entry)
{
    PyObject *fname, *text, *key, *e;
    int r = FALLBACK;
    *entry = NULL;
    if ((fname = PyObject_GetAttr(face, s_name)) == NULL)
        return ERR;
    if ((text = PyObject_GetAttr(shaped, s_text)) == NULL) {
        Py_DECREF(fname);
        return ERR;
    }
    if (!PyUnicode_CheckExact(fname) || !PyUnicode_CheckExact(text))
        goto done;
    r = ERR;
    if ((key = PyTuple_Pack(2, fname, text)) == NULL)
        goto done;
    e = PyDict_GetItemWithError(st->entries, key);
    Py_DECREF(key);
    if (e != NULL)
        Py_INCREF(e);
    else if (PyErr_Occurred() || (e = PyObject_CallFunctionObjArgs(st->make_entry, face, shaped, NULL)) == NULL)
        goto done;
    if (!PyTuple_CheckExact(e) || PyTuple_GET_SIZE(e) != 3 || !PyUnicode_CheckExact(PyTuple_GET_ITEM(e, 0))) {
        Py_DECREF(e);
        r = FALLBACK;
        goto done;
    }
    *entry = e;
    r = OK;
done:
    Py_DECREF(fname);
    Py_DECREF(text);
    return r;
}

/* One span: colour, the space before it, Tm, the gap, its glyphs; the cursor moved past it. */
static int span(State *st, PyObject *sp)
{
    PyObject *face = NULL, *shaped = NULL, *color = NULL, *sb = NULL, *e = NULL, *one;
    double size, sx, x, width, glyphs;
    int r, same;

    if ((r = attr_number(sp, s_size, &size)) != OK || (r = attr_number(sp, s_x, &sx)) != OK)
        return r;
    x = st->x0 + sx;
    r = ERR;
    if ((face = PyObject_GetAttr(sp, s_face)) == NULL || (shaped = PyObject_GetAttr(sp, s_shaped)) == NULL
        || (color = PyObject_GetAttr(sp, s_color)) == NULL)
        goto done;
    if ((r = put_color(st, color)) != OK || (r = get_entry(st, face, shaped, &e)) != OK)
        goto done;
    if (st->cur_name != NULL) {
        r = ERR;
        if ((sb = PyObject_GetAttr(sp, s_space_before)) == NULL)
            goto done;
        if (sb != Py_True && sb != Py_False) {
            r = FALLBACK;
            goto done;
        }
        if (sb == Py_True && (r = put_space(st)) != OK)
            goto done;
        if ((same = current(st, PyTuple_GET_ITEM(e, 0), size)) < 0) {
            r = ERR;
            goto done;
        }
        if (!same) {
            if ((r = flush(st->out, st->tj)) != OK || (r = put_tm(st->out, x, st->ys)) != OK)
                goto done;
            st->cursor = x;
        }
    } else {
        if ((r = put_tm(st->out, x, st->ys)) != OK)
            goto done;
        st->cursor = x;
    }
    if ((r = put_gap(st, x, size)) != OK)
        goto done;
    one = PyTuple_GET_ITEM(e, 1);
    same = 0;
    if (one != Py_None) {
        if (!PyUnicode_CheckExact(one)) {
            r = FALLBACK;
            goto done;
        }
        if ((same = current(st, PyTuple_GET_ITEM(e, 0), size)) < 0) {
            r = ERR;
            goto done;
        }
    }
    if (same)
        r = PyList_Append(st->tj, one) < 0 ? ERR : OK;
    else
        r = put_chunks(st, PyTuple_GET_ITEM(e, 2), size);
    if (r != OK)
        goto done;
    if ((r = attr_number(shaped, s_width, &width)) != OK || (r = attr_number(shaped, s_glyphs, &glyphs)) != OK)
        goto done;
    st->cursor = x + (width * size / 1000.0 + st->tc * glyphs) * st->tz;
    Py_INCREF(face);
    Py_XSETREF(st->prev_face, face);
    st->prev_size = size;
done:
    Py_XDECREF(face);
    Py_XDECREF(shaped);
    Py_XDECREF(color);
    Py_XDECREF(sb);
    Py_XDECREF(e);
    return r;
}

/* line(spans, x0, y, tracking, scale, entries, spaces, colors, entry, space, color) -> list | None */
static PyObject *line(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    State st;
    PyObject *spans, *result = NULL;
    double y, num;
    char ys[NUMCAP], buf[NUMCAP];
    Py_ssize_t i, n;
    int r;

    if (nargs != 11) {
        PyErr_SetString(PyExc_TypeError, "line() takes 11 arguments");
        return NULL;
    }
    spans = args[0];
    if (!PyList_CheckExact(spans) || !PyDict_CheckExact(args[5]) || !PyDict_CheckExact(args[6])
        || !PyDict_CheckExact(args[7]))
        Py_RETURN_NONE;
    memset(&st, 0, sizeof st);
    if ((r = number(args[1], &st.x0)) != OK || (r = number(args[2], &y)) != OK
        || (r = number(args[3], &st.tc)) != OK || (r = number(args[4], &st.tz)) != OK) {
        if (r == ERR)
            return NULL;
        Py_RETURN_NONE;
    }
    st.entries = args[5];
    st.spaces = args[6];
    st.colors = args[7];
    st.make_entry = args[8];
    st.make_space = args[9];
    st.make_color = args[10];
    st.tctz = st.tc * st.tz;
    st.ys = ys;
    Py_INCREF(Py_None);
    st.cur_color = Py_None;
    if ((st.out = PyList_New(0)) == NULL || (st.tj = PyList_New(0)) == NULL)
        goto fail;
    r = OK;
    n = PyList_GET_SIZE(spans);
    if (n == 0)
        goto finish;
    if ((r = fmt_num(y, ys, sizeof ys)) != OK)
        goto finish;
    if ((r = put(st.out, PyUnicode_FromString("BT"))) != OK)
        goto finish;
    if (st.tc != 0.0) {
        if ((r = fmt_num(st.tc, buf, sizeof buf)) != OK || (r = put(st.out, PyUnicode_FromFormat("%s Tc", buf))) != OK)
            goto finish;
    }
    if (st.tz != 1.0) {
        num = st.tz * 100;
        if ((r = fmt_num(num, buf, sizeof buf)) != OK || (r = put(st.out, PyUnicode_FromFormat("%s Tz", buf))) != OK)
            goto finish;
    }
    for (i = 0; i < n && r == OK; i++) {
        PyObject *sp = PyList_GET_ITEM(spans, i);
        Py_INCREF(sp);
        r = span(&st, sp);
        Py_DECREF(sp);
        if (PyList_GET_SIZE(spans) != n && r == OK) /* a callback changed the list: let Python do it */
            r = FALLBACK;
    }
    if (r == OK)
        r = flush(st.out, st.tj);
    if (r == OK && st.tc != 0.0)
        r = put(st.out, PyUnicode_FromString("0 Tc"));
    if (r == OK && st.tz != 1.0)
        r = put(st.out, PyUnicode_FromString("100 Tz"));
    if (r == OK)
        r = put(st.out, PyUnicode_FromString("ET"));
finish:
    if (r == OK) {
        result = st.out;
        st.out = NULL;
    } else if (r == FALLBACK) {
        Py_INCREF(Py_None);
        result = Py_None;
    }
fail:
    Py_XDECREF(st.out);
    Py_XDECREF(st.tj);
    Py_XDECREF(st.cur_name);
    Py_XDECREF(st.cur_color);
    Py_XDECREF(st.prev_face);
    Py_XDECREF(st.last_s);
    return result;
}

/* _n(v) (for the tests: the C formatting against the Python one). */
static PyObject *num(PyObject *self, PyObject *arg)
{
    double v;
    char buf[NUMCAP];
    int r = number(arg, &v);
    if (r == OK)
        r = fmt_num(v, buf, sizeof buf);
    if (r == ERR)
        return NULL;
    if (r == FALLBACK)
        Py_RETURN_NONE;
    return PyUnicode_FromString(buf);
}

static PyMethodDef methods[] = {
    {"line", (PyCFunction)(void (*)(void))line, METH_FASTCALL, "A line's text operators (see textops.py)."},
    {"num", num, METH_O, "_n(v) in C, or None for a number it leaves to Python."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_textops", NULL, -1, methods};

PyMODINIT_FUNC PyInit__textops(void)
{
#define INTERN(var, text)                                                                                    \
    if ((var = PyUnicode_InternFromString(text)) == NULL)                                                    \
        return NULL;
    INTERN(s_face, "face")
    INTERN(s_size, "size")
    INTERN(s_shaped, "shaped")
    INTERN(s_x, "x")
    INTERN(s_space_before, "space_before")
    INTERN(s_color, "color")
    INTERN(s_name, "name")
    INTERN(s_space, "space")
    INTERN(s_text, "text")
    INTERN(s_width, "width")
    INTERN(s_glyphs, "glyphs")
    INTERN(s_sep, " ")
#undef INTERN
    return PyModule_Create(&module);
}
