/* _textops: TextWriter.line of layout/pdf/textops.py in C (an optional accelerator).

   Reads one line's spans (face.name, face.space, size, shaped.text, shaped.width, shaped.glyphs,
   x, space_before, color), the line's origin, tracking and scale, and the writer's tables (each
   word's TJ entry, each face's space glyph, each colour's operator), calling back into the writer
   for an entry, a space or a colour not made yet (in the order the Python code makes them: the
   fonts number their glyphs in that order); produces the line's operators as a list of strings,
   exactly those `TextWriter.line_python` appends. Equality with the Python code is the contract:
   doubles throughout, every sum and product in the Python order, no contraction of a*b+c (see
   setup.py's flags), numbers through CPython's own float formatting (PyOS_double_to_string, as
   f"{v:.3f}" uses). `lines` does a page's lines in one call (any line it declines is handed to
   line_python); `bind` names the frames' slotted classes, whose fields are then read at their slots.

   Returns None when a span holds anything the Python code might treat differently (a number that
   is not a plain float or a small int, a text that is not a str, an entry not of the writer's
   shape): the caller then runs the Python code, which stays the reference. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <math.h>
#include <string.h>

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

static PyObject *s_name, *s_space, *s_sep;

enum { OK = 0, FALLBACK = 1, ERR = 2 };

/* The frames' slotted classes (bind()): their fields are read at their slots' offsets, as the
   slots' own descriptors read them, without the attribute lookup (any other type: getattr). */
typedef struct {
    PyTypeObject *type;
    Py_ssize_t offset;
    PyObject *name;
} Slot;

enum { SPAN_FACE, SPAN_SIZE, SPAN_SHAPED, SPAN_X, SPAN_SPACE_BEFORE, SPAN_COLOR, SHAPED_TEXT, SHAPED_WIDTH,
       SHAPED_GLYPHS, SHAPED_KERNS, ITEM_X, ITEM_BASELINE, ITEM_LINE, LINE_SPANS, LINE_TRACKING, LINE_SCALE,
       NSLOTS };
static Slot slots[NSLOTS];

/* obj.<slot> as a new reference. */
static PyObject *get(PyObject *o, int which)
{
    Slot *sl = &slots[which];
    if (sl->type != NULL && Py_IS_TYPE(o, sl->type)) {
        PyObject *v = *(PyObject **)((char *)o + sl->offset);
        if (v != NULL) {
            Py_INCREF(v);
            return v;
        }
    }
    return PyObject_GetAttr(o, sl->name);
}

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

static int slot_number(PyObject *o, int which, double *out)
{
    PyObject *v = get(o, which);
    int r;
    if (v == NULL)
        return ERR;
    r = number(v, out);
    Py_DECREF(v);
    return r;
}

/* _n(v) for |v| < 1e9 away from a rounding tie, or -1: v * 1000 rounded to the nearest integer
   (what "%.3f" rounds to: the product's error, under 2e-7, cannot carry it past the half-way point
   when the fraction is more than 1e-6 from it) written with the point put back, trailing zeros and
   point dropped, "-0" as "0". Three times faster than CPython's correctly rounded formatting, which
   the page's thousands of positions and offsets all went through; every other number still does. */
static int fast_num(double v, char *buf)
{
    double f, fl, frac;
    long long k;
    char digits[24];
    int n = 0, neg, len = 0;
    if (!(v > -1e9 && v < 1e9))
        return -1;
    f = v * 1000.0;
    fl = floor(f);
    frac = f - fl;
    if (fabs(frac - 0.5) <= 1e-6)
        return -1;
    k = (long long)fl + (frac > 0.5);
    neg = k < 0;
    if (neg)
        k = -k;
    do { /* the digits of k, least significant first, at least four (0.001 is "0001") */
        digits[n++] = (char)('0' + k % 10);
        k /= 10;
    } while (k > 0 || n < 4);
    int last = 0; /* the decimals kept: trailing zeros dropped */
    for (int i = 0; i < 3; i++)
        if (digits[i] != '0') {
            last = 3 - i;
            break;
        }
    if (neg && !(n == 4 && digits[3] == '0' && last == 0)) /* (-0 is written 0) */
        buf[len++] = '-';
    for (int i = n - 1; i >= 3; i--)
        buf[len++] = digits[i];
    if (last) {
        buf[len++] = '.';
        for (int i = 2; i > 2 - last; i--)
            buf[len++] = digits[i];
    }
    buf[len] = '\0';
    return len;
}

/* _n(v): f"{v:.3f}" without trailing zeros or point, "-0" as "0"; into buf (NUL-terminated). */
static int fmt_num(double v, char *buf, size_t cap)
{
    if (cap >= 24 && fast_num(v, buf) >= 0)
        return OK;
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
    PyObject *prev_name; /* strong: prev_face.name */
    double prev_size;
    int have_last;
    double last_v;
    PyObject *last_s; /* strong; the string of last_v */
    double x0, tc, tz, tctz;
    const char *ys;
} State;

/* What stays the same from line to line: the writer's tables and callbacks, and the last face's
   name (spans mostly share faces: one getattr on a dict-backed object saved per span). */
typedef struct {
    PyObject *entries, *spaces, *colors, *make_entry, *make_space, *make_color;
    PyObject *numbered;    /* the writer's faces numbered in their first subset, or NULL (see made_entry) */
    PyObject *face, *name; /* strong */
    char tm_x[NUMCAP];     /* the last Tm's x, formatted (lines in a column share it) */
    double tm_xv;
    int have_tm_x;
} Tables;

static void clear_tables(Tables *t)
{
    Py_CLEAR(t->face);
    Py_CLEAR(t->name);
}

/* face.name (a new reference), remembered for the next span. */
static PyObject *face_name(Tables *t, PyObject *face)
{
    PyObject *name;
    if (face == t->face) {
        Py_INCREF(t->name);
        return t->name;
    }
    if ((name = PyObject_GetAttr(face, s_name)) == NULL)
        return NULL;
    Py_INCREF(face);
    Py_XSETREF(t->face, face);
    Py_INCREF(name);
    Py_XSETREF(t->name, name);
    return name;
}

static int put_tm(PyObject *out, Tables *t, double x, const char *ys)
{
    if (!t->have_tm_x || x != t->tm_xv || (x == 0.0 && signbit(x) != signbit(t->tm_xv))) {
        int r = fmt_num(x, t->tm_x, sizeof t->tm_x);
        if (r != OK) {
            t->have_tm_x = 0;
            return r;
        }
        t->tm_xv = x;
        t->have_tm_x = 1;
    }
    return put(out, PyUnicode_FromFormat("1 0 0 1 %s %s Tm", t->tm_x, ys));
}

/* Is `name` the subset font set now, at `size`? (1 yes, 0 no, -1 error) */
static int current(State *st, PyObject *name, double size)
{
    if (st->cur_name == NULL || size != st->cur_size)
        return 0;
    if (name == st->cur_name)
        return 1;
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
static int put_color(State *st, Tables *t, PyObject *color)
{
    PyObject *col;
    int r, ne = color == st->cur_color ? 0 : PyObject_RichCompareBool(color, st->cur_color, Py_NE);
    if (ne <= 0)
        return ne < 0 ? ERR : OK;
    if ((r = flush(st->out, st->tj)) != OK)
        return r;
    if ((col = lookup(t->colors, color, t->make_color, color)) == NULL)
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
static int put_space(State *st, Tables *t)
{
    PyObject *space, *sname, *sstr;
    double fspace;
    int r, same;
    if (!PyUnicode_CheckExact(st->prev_name))
        return FALLBACK;
    if ((space = lookup(t->spaces, st->prev_name, t->make_space, st->prev_face)) == NULL)
        return ERR;
    r = FALLBACK;
    if (!PyTuple_CheckExact(space) || PyTuple_GET_SIZE(space) != 2)
        goto done;
    sname = PyTuple_GET_ITEM(space, 0);
    sstr = PyTuple_GET_ITEM(space, 1);
    if (!PyUnicode_CheckExact(sname) || !PyUnicode_CheckExact(sstr))
        goto done;
    same = sname == st->cur_name ? 1 : PyObject_RichCompareBool(sname, st->cur_name, Py_EQ);
    if (same < 0) {
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

static PyObject *codes_of(PyObject *text, PyObject *assigned);
static PyObject *tj_of(PyObject *data, PyObject *kerns, Py_ssize_t pos);

/* TextWriter.entry for a text whose characters the face has all numbered in its first subset (most
   new words once a page or two is drawn), made here as it makes it: (first subset's font, its TJ
   elements joined, [(font, joined)]), kept in the writer's entries; None when that is not so (the
   writer makes it), NULL on error. Only with `numbered` (given where the writer joins TJ elements
   with this module's tj). */
static PyObject *made_entry(Tables *t, PyObject *key, PyObject *fname, PyObject *text, PyObject *shaped)
{
    PyObject *known, *data, *kerns, *joined, *chunk, *chunks, *e;
    if (t->numbered == NULL || (known = PyDict_GetItemWithError(t->numbered, fname)) == NULL) {
        if (PyErr_Occurred())
            return NULL;
        Py_RETURN_NONE;
    }
    if (!PyTuple_CheckExact(known) || PyTuple_GET_SIZE(known) != 2 || !PyDict_CheckExact(PyTuple_GET_ITEM(known, 0)) ||
        !PyUnicode_CheckExact(PyTuple_GET_ITEM(known, 1)))
        Py_RETURN_NONE;
    if ((data = codes_of(text, PyTuple_GET_ITEM(known, 0))) == NULL || data == Py_None)
        return data;
    if ((kerns = get(shaped, SHAPED_KERNS)) == NULL) {
        Py_DECREF(data);
        return NULL;
    }
    joined = tj_of(data, kerns, 0);
    Py_DECREF(kerns);
    Py_DECREF(data);
    if (joined == NULL || joined == Py_None)
        return joined;
    chunk = PyTuple_Pack(2, PyTuple_GET_ITEM(known, 1), joined);
    chunks = chunk ? PyList_New(1) : NULL;
    if (chunks == NULL) {
        Py_XDECREF(chunk);
        Py_DECREF(joined);
        return NULL;
    }
    PyList_SET_ITEM(chunks, 0, chunk);
    e = PyTuple_Pack(3, PyTuple_GET_ITEM(known, 1), joined, chunks);
    Py_DECREF(joined);
    Py_DECREF(chunks);
    if (e != NULL && PyDict_SetItem(t->entries, key, e) < 0)
        Py_CLEAR(e);
    return e;
}

/* The span's entry: the writer's, or made now (a new reference, checked for shape). */
static int get_entry(Tables *t, PyObject *fname, PyObject *face, PyObject *shaped, PyObject **entry)
{
    PyObject *text, *key, *e;
    int r = FALLBACK;
    *entry = NULL;
    if ((text = get(shaped, SHAPED_TEXT)) == NULL)
        return ERR;
    if (!PyUnicode_CheckExact(fname) || !PyUnicode_CheckExact(text))
        goto done;
    r = ERR;
    if ((key = PyTuple_Pack(2, fname, text)) == NULL)
        goto done;
    e = PyDict_GetItemWithError(t->entries, key);
    if (e != NULL)
        Py_INCREF(e);
    else if (PyErr_Occurred() || (e = made_entry(t, key, fname, text, shaped)) == NULL ||
             (e == Py_None && (Py_DECREF(e), e = PyObject_CallFunctionObjArgs(t->make_entry, face, shaped, NULL)) == NULL)) {
        Py_DECREF(key);
        goto done;
    }
    Py_DECREF(key);
    if (!PyTuple_CheckExact(e) || PyTuple_GET_SIZE(e) != 3 || !PyUnicode_CheckExact(PyTuple_GET_ITEM(e, 0))) {
        Py_DECREF(e);
        r = FALLBACK;
        goto done;
    }
    *entry = e;
    r = OK;
done:
    Py_DECREF(text);
    return r;
}

/* One span: colour, the space before it, Tm, the gap, its glyphs; the cursor moved past it. */
static int span(State *st, Tables *t, PyObject *sp)
{
    PyObject *face = NULL, *shaped = NULL, *color = NULL, *sb = NULL, *e = NULL, *fname = NULL, *one;
    double size, sx, x, width, glyphs;
    int r, same;

    if ((r = slot_number(sp, SPAN_SIZE, &size)) != OK || (r = slot_number(sp, SPAN_X, &sx)) != OK)
        return r;
    x = st->x0 + sx;
    r = ERR;
    if ((face = get(sp, SPAN_FACE)) == NULL || (shaped = get(sp, SPAN_SHAPED)) == NULL
        || (color = get(sp, SPAN_COLOR)) == NULL || (fname = face_name(t, face)) == NULL)
        goto done;
    if ((r = put_color(st, t, color)) != OK || (r = get_entry(t, fname, face, shaped, &e)) != OK)
        goto done;
    if (st->cur_name != NULL) {
        r = ERR;
        if ((sb = get(sp, SPAN_SPACE_BEFORE)) == NULL)
            goto done;
        if (sb != Py_True && sb != Py_False) {
            r = FALLBACK;
            goto done;
        }
        if (sb == Py_True && (r = put_space(st, t)) != OK)
            goto done;
        if ((same = current(st, PyTuple_GET_ITEM(e, 0), size)) < 0) {
            r = ERR;
            goto done;
        }
        if (!same) {
            if ((r = flush(st->out, st->tj)) != OK || (r = put_tm(st->out, t, x, st->ys)) != OK)
                goto done;
            st->cursor = x;
        }
    } else {
        if ((r = put_tm(st->out, t, x, st->ys)) != OK)
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
    if ((r = slot_number(shaped, SHAPED_WIDTH, &width)) != OK || (r = slot_number(shaped, SHAPED_GLYPHS, &glyphs)) != OK)
        goto done;
    st->cursor = x + (width * size / 1000.0 + st->tc * glyphs) * st->tz;
    Py_INCREF(face);
    Py_XSETREF(st->prev_face, face);
    Py_INCREF(fname);
    Py_XSETREF(st->prev_name, fname);
    st->prev_size = size;
done:
    Py_XDECREF(face);
    Py_XDECREF(shaped);
    Py_XDECREF(color);
    Py_XDECREF(sb);
    Py_XDECREF(e);
    Py_XDECREF(fname);
    return r;
}

/* One line's operators appended to `out` (nothing appended unless OK). */
static int one_line(PyObject *out, Tables *t, PyObject *spans, double x0, double y, double tc, double tz)
{
    State st;
    char ys[NUMCAP], buf[NUMCAP];
    Py_ssize_t i, n, start = PyList_GET_SIZE(out);
    int r;

    memset(&st, 0, sizeof st);
    st.out = out;
    st.x0 = x0;
    st.tc = tc;
    st.tz = tz;
    st.tctz = tc * tz;
    st.ys = ys;
    Py_INCREF(Py_None);
    st.cur_color = Py_None;
    n = PyList_GET_SIZE(spans);
    if ((st.tj = PyList_New(0)) == NULL) {
        r = ERR;
        goto finish;
    }
    if ((r = fmt_num(y, ys, sizeof ys)) != OK || (r = put(out, PyUnicode_FromString("BT"))) != OK)
        goto finish;
    if (tc != 0.0) {
        if ((r = fmt_num(tc, buf, sizeof buf)) != OK || (r = put(out, PyUnicode_FromFormat("%s Tc", buf))) != OK)
            goto finish;
    }
    if (tz != 1.0) {
        if ((r = fmt_num(tz * 100, buf, sizeof buf)) != OK || (r = put(out, PyUnicode_FromFormat("%s Tz", buf))) != OK)
            goto finish;
    }
    for (i = 0; i < n && r == OK; i++) {
        PyObject *sp = PyList_GET_ITEM(spans, i);
        Py_INCREF(sp);
        r = span(&st, t, sp);
        Py_DECREF(sp);
        if (PyList_GET_SIZE(spans) != n && r == OK) /* a callback changed the list: let Python do it */
            r = FALLBACK;
    }
    if (r == OK)
        r = flush(out, st.tj);
    if (r == OK && tc != 0.0)
        r = put(out, PyUnicode_FromString("0 Tc"));
    if (r == OK && tz != 1.0)
        r = put(out, PyUnicode_FromString("100 Tz"));
    if (r == OK)
        r = put(out, PyUnicode_FromString("ET"));
finish:
    if (r != OK && PyList_SetSlice(out, start, PyList_GET_SIZE(out), NULL) < 0)
        r = ERR;
    Py_XDECREF(st.tj);
    Py_XDECREF(st.cur_name);
    Py_XDECREF(st.cur_color);
    Py_XDECREF(st.prev_face);
    Py_XDECREF(st.prev_name);
    Py_XDECREF(st.last_s);
    return r;
}

static int tables_from(Tables *t, PyObject *const *args)
{
    memset(t, 0, sizeof *t);
    if (!PyDict_CheckExact(args[0]) || !PyDict_CheckExact(args[1]) || !PyDict_CheckExact(args[2]))
        return FALLBACK;
    t->entries = args[0];
    t->spaces = args[1];
    t->colors = args[2];
    t->make_entry = args[3];
    t->make_space = args[4];
    t->make_color = args[5];
    t->numbered = NULL;
    return OK;
}

/* line(spans, x0, y, tracking, scale, entries, spaces, colors, entry, space, color) -> list | None */
static PyObject *line(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Tables t;
    PyObject *out;
    double x0, y, tc, tz;
    int r;

    if (nargs != 11) {
        PyErr_SetString(PyExc_TypeError, "line() takes 11 arguments");
        return NULL;
    }
    if (!PyList_CheckExact(args[0]) || tables_from(&t, args + 5) != OK)
        Py_RETURN_NONE;
    if ((r = number(args[1], &x0)) != OK || (r = number(args[2], &y)) != OK || (r = number(args[3], &tc)) != OK
        || (r = number(args[4], &tz)) != OK) {
        if (r == ERR)
            return NULL;
        Py_RETURN_NONE;
    }
    if ((out = PyList_New(0)) == NULL)
        return NULL;
    r = PyList_GET_SIZE(args[0]) ? one_line(out, &t, args[0], x0, y, tc, tz) : OK;
    clear_tables(&t);
    if (r == OK)
        return out;
    Py_DECREF(out);
    if (r == ERR)
        return NULL;
    Py_RETURN_NONE;
}

/* The line's numbers and spans, or FALLBACK for a line of another shape. */
static int line_of(PyObject *item, double page_h, PyObject **spans, double *x0, double *y, double *tc, double *tz)
{
    PyObject *ln;
    double baseline;
    int r;
    *spans = NULL;
    if ((r = slot_number(item, ITEM_X, x0)) != OK || (r = slot_number(item, ITEM_BASELINE, &baseline)) != OK)
        return r;
    *y = page_h - baseline;
    if ((ln = get(item, ITEM_LINE)) == NULL)
        return ERR;
    if ((r = slot_number(ln, LINE_TRACKING, tc)) == OK && (r = slot_number(ln, LINE_SCALE, tz)) == OK) {
        if ((*spans = get(ln, LINE_SPANS)) == NULL)
            r = ERR;
        else if (!PyList_CheckExact(*spans)) {
            Py_CLEAR(*spans);
            r = FALLBACK;
        }
    }
    Py_DECREF(ln);
    return r;
}

/* lines(items, page_h, entries, spaces, colors, entry, space, color, text_item, line_python[, numbered])
   -> list: the operators of every `text_item` among `items`, in order; a line this code declines is
   written by line_python(item, page_h, out); None for a page it declines whole (Python writes it).
   `numbered`: the writer's (face name -> (codes, first subset's font)), for made_entry. */
static PyObject *lines(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Tables t;
    PyObject *items, *out, *text_item, *fallback;
    double page_h;
    Py_ssize_t i;
    int r = OK;

    if (nargs != 10 && nargs != 11) {
        PyErr_SetString(PyExc_TypeError, "lines() takes 10 or 11 arguments");
        return NULL;
    }
    items = args[0];
    text_item = args[8];
    fallback = args[9];
    if (!PyList_CheckExact(items) || !PyType_Check(text_item)) {
        PyErr_SetString(PyExc_TypeError, "lines() takes a list of items and the TextItem class");
        return NULL;
    }
    if ((r = number(args[1], &page_h)) == OK)
        r = tables_from(&t, args + 2);
    if (r == ERR)
        return NULL;
    if (r == OK && nargs == 11 && PyDict_CheckExact(args[10]))
        t.numbered = args[10];
    if (r == FALLBACK)
        Py_RETURN_NONE;
    if ((out = PyList_New(0)) == NULL)
        return NULL;
    for (i = 0; i < PyList_GET_SIZE(items); i++) {
        PyObject *it = PyList_GET_ITEM(items, i), *spans = NULL;
        double x0 = 0, y = 0, tc = 0, tz = 0;
        if (!Py_IS_TYPE(it, (PyTypeObject *)text_item)) {
            int inst = PyObject_IsInstance(it, text_item); /* a subclass's line: Python's */
            if (inst <= 0) {
                if (inst == 0)
                    continue;
                clear_tables(&t);
                Py_DECREF(out);
                return NULL;
            }
            r = FALLBACK;
        } else
            r = OK;
        Py_INCREF(it);
        if (r == OK)
            r = line_of(it, page_h, &spans, &x0, &y, &tc, &tz);
        if (r == OK && PyList_GET_SIZE(spans))
            r = one_line(out, &t, spans, x0, y, tc, tz);
        Py_XDECREF(spans);
        if (r == FALLBACK) {
            PyObject *res = PyObject_CallFunctionObjArgs(fallback, it, args[1], out, NULL);
            r = res == NULL ? ERR : OK;
            Py_XDECREF(res);
        }
        Py_DECREF(it);
        if (r == ERR) {
            clear_tables(&t);
            Py_DECREF(out);
            return NULL;
        }
    }
    clear_tables(&t);
    return out;
}


typedef struct {
    char *buf;
    Py_ssize_t len, cap;
} Buf;

static int grow(Buf *b, Py_ssize_t more)
{
    Py_ssize_t cap;
    char *nb;
    if (b->len + more <= b->cap)
        return OK;
    cap = b->cap ? b->cap : 256;
    while (cap < b->len + more)
        cap *= 2;
    if ((nb = PyMem_Realloc(b->buf, (size_t)cap)) == NULL) {
        PyErr_NoMemory();
        return ERR;
    }
    b->buf = nb;
    b->cap = cap;
    return OK;
}

static int raw(Buf *b, const void *p, Py_ssize_t n)
{
    if (grow(b, n) != OK)
        return ERR;
    memcpy(b->buf + b->len, p, (size_t)n);
    b->len += n;
    return OK;
}

/* ReportLab's escapePDF: bytes below 32 or above 126 as \ooo, backslash and parentheses escaped. */
static int put_escaped(Buf *b, const unsigned char *p, Py_ssize_t n)
{
    Py_ssize_t i;
    if (grow(b, 4 * n) != OK)
        return ERR;
    for (i = 0; i < n; i++) {
        unsigned char c = p[i];
        char *o = b->buf + b->len;
        if (c < 32 || c > 126) {
            o[0] = '\\';
            o[1] = (char)('0' + (c >> 6));
            o[2] = (char)('0' + ((c >> 3) & 7));
            o[3] = (char)('0' + (c & 7));
            b->len += 4;
        } else if (c == '\\' || c == '(' || c == ')') {
            o[0] = '\\';
            o[1] = (char)c;
            b->len += 2;
        } else {
            o[0] = (char)c;
            b->len += 1;
        }
    }
    return OK;
}

/* "(" + escaped + ")" */
static int put_string(Buf *b, const unsigned char *p, Py_ssize_t n)
{
    if (raw(b, "(", 1) != OK || put_escaped(b, p, n) != OK)
        return ERR;
    return raw(b, ")", 1);
}

/* tj(data, kerns, pos) -> str | None: a chunk's TJ elements joined, as TextWriter._tj makes them
   (the glyph codes escaped in strings, split after each kerned glyph, each kern as _n(-k)). */
static PyObject *tj(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t pos;
    if (nargs != 3 || !PyBytes_CheckExact(args[0]) || !PyLong_CheckExact(args[2])) {
        PyErr_SetString(PyExc_TypeError, "tj(data: bytes, kerns, pos: int)");
        return NULL;
    }
    pos = PyLong_AsSsize_t(args[2]);
    if (pos == -1 && PyErr_Occurred())
        return NULL;
    return tj_of(args[0], args[1], pos);
}

/* tj for a bytes object: the joined elements, None to decline, NULL on error. */
static PyObject *tj_of(PyObject *data, PyObject *kerns, Py_ssize_t pos)
{
    Buf b = {NULL, 0, 0};
    const unsigned char *p = (const unsigned char *)PyBytes_AS_STRING(data);
    Py_ssize_t n = PyBytes_GET_SIZE(data), i, start = 0;
    PyObject *result = NULL;
    int r = OK;

    if (kerns == Py_None)
        r = put_string(&b, p, n);
    else if (!PyTuple_CheckExact(kerns) || pos < 0 || pos + n > PyTuple_GET_SIZE(kerns))
        r = FALLBACK;
    for (i = 0; kerns != Py_None && r == OK && i < n; i++) {
        double k;
        char num[NUMCAP];
        if ((r = number(PyTuple_GET_ITEM(kerns, pos + i), &k)) != OK)
            break;
        if (k == 0.0)
            continue;
        if ((start > 0 && raw(&b, " ", 1) != OK) || put_string(&b, p + start, i + 1 - start) != OK) {
            r = ERR;
            break;
        }
        if ((r = fmt_num(-k, num, sizeof num)) != OK)
            break;
        if (raw(&b, " ", 1) != OK || raw(&b, num, (Py_ssize_t)strlen(num)) != OK)
            r = ERR;
        start = i + 1;
    }
    if (kerns != Py_None && r == OK && start < n) {
        if ((start > 0 && raw(&b, " ", 1) != OK) || put_string(&b, p + start, n - start) != OK)
            r = ERR;
    }
    if (r == OK)
        result = PyUnicode_DecodeASCII(b.buf ? b.buf : "", b.len, NULL);
    else if (r == FALLBACK) {
        Py_INCREF(Py_None);
        result = Py_None;
    }
    PyMem_Free(b.buf);
    return result;
}

/* escape(data) -> str: put_escaped, for the tests (against ReportLab's escapePDF). */
static PyObject *escape(PyObject *self, PyObject *arg)
{
    Buf b = {NULL, 0, 0};
    PyObject *result = NULL;
    if (!PyBytes_CheckExact(arg)) {
        PyErr_SetString(PyExc_TypeError, "escape(data: bytes)");
        return NULL;
    }
    if (put_escaped(&b, (const unsigned char *)PyBytes_AS_STRING(arg), PyBytes_GET_SIZE(arg)) == OK)
        result = PyUnicode_DecodeASCII(b.buf ? b.buf : "", b.len, NULL);
    PyMem_Free(b.buf);
    return result;
}

/* codes(text, assigned) -> bytes | None: each character's code in `assigned` (a dict of code points),
   when every one is there and below 256; else None (TextWriter._numbered). */
static PyObject *codes(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyUnicode_CheckExact(args[0]) || !PyDict_CheckExact(args[1])) {
        PyErr_SetString(PyExc_TypeError, "codes(text: str, assigned: dict)");
        return NULL;
    }
    return codes_of(args[0], args[1]);
}

/* codes for a str and a dict (checked by the caller). */
static PyObject *codes_of(PyObject *text, PyObject *assigned)
{
    PyObject *out;
    Py_ssize_t i, n;
    int kind;
    const void *data;
    char *o;

    n = PyUnicode_GET_LENGTH(text);
    if (n == 0)
        Py_RETURN_NONE;
    kind = PyUnicode_KIND(text);
    data = PyUnicode_DATA(text);
    if ((out = PyBytes_FromStringAndSize(NULL, n)) == NULL)
        return NULL;
    o = PyBytes_AS_STRING(out);
    for (i = 0; i < n; i++) {
        PyObject *key = PyLong_FromLong((long)PyUnicode_READ(kind, data, i)), *v;
        long c;
        if (key == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        v = PyDict_GetItemWithError(assigned, key);
        Py_DECREF(key);
        if (v == NULL || !PyLong_CheckExact(v)) {
            Py_DECREF(out);
            if (PyErr_Occurred())
                return NULL;
            Py_RETURN_NONE;
        }
        c = PyLong_AsLong(v);
        if (c < 0 || c > 255) {
            Py_DECREF(out);
            if (PyErr_Occurred())
                return NULL;
            Py_RETURN_NONE;
        }
        o[i] = (char)c;
    }
    return out;
}

/* bind(Span, Shaped, TextItem, Line): read their fields at their slots (see get()). */
static PyObject *bind(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    static const struct {
        int which, cls;
        const char *name;
    } fields[] = {
        {SPAN_FACE, 0, "face"}, {SPAN_SIZE, 0, "size"}, {SPAN_SHAPED, 0, "shaped"}, {SPAN_X, 0, "x"},
        {SPAN_SPACE_BEFORE, 0, "space_before"}, {SPAN_COLOR, 0, "color"}, {SHAPED_TEXT, 1, "text"},
        {SHAPED_WIDTH, 1, "width"}, {SHAPED_GLYPHS, 1, "glyphs"}, {SHAPED_KERNS, 1, "kerns"}, {ITEM_X, 2, "x"},
        {ITEM_BASELINE, 2, "baseline"}, {ITEM_LINE, 2, "line"}, {LINE_SPANS, 3, "spans"},
        {LINE_TRACKING, 3, "tracking"}, {LINE_SCALE, 3, "scale"},
    };
    size_t i;
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "bind() takes 4 classes");
        return NULL;
    }
    for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        Slot *sl = &slots[fields[i].which];
        PyObject *cls = args[fields[i].cls], *d;
        sl->type = NULL;
        sl->offset = -1;
        if (!PyType_Check(cls))
            continue;
        d = PyObject_GetAttr(cls, sl->name);
        if (d == NULL) {
            PyErr_Clear();
            continue;
        }
        if (Py_IS_TYPE(d, &PyMemberDescr_Type) && ((PyMemberDescrObject *)d)->d_member->type == T_OBJECT_EX
            && ((PyMemberDescrObject *)d)->d_common.d_type == (PyTypeObject *)cls) {
            Py_INCREF(cls);
            sl->type = (PyTypeObject *)cls; /* kept for good: a class bound once */
            sl->offset = ((PyMemberDescrObject *)d)->d_member->offset;
        }
        Py_DECREF(d);
    }
    Py_RETURN_NONE;
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
    {"lines", (PyCFunction)(void (*)(void))lines, METH_FASTCALL, "A page's lines' text operators."},
    {"bind", (PyCFunction)(void (*)(void))bind, METH_FASTCALL, "The frames' slotted classes."},
    {"tj", (PyCFunction)(void (*)(void))tj, METH_FASTCALL, "A chunk's TJ elements, joined."},
    {"codes", (PyCFunction)(void (*)(void))codes, METH_FASTCALL, "Characters' codes, all numbered already."},
    {"escape", escape, METH_O, "ReportLab's escapePDF."},
    {"num", num, METH_O, "_n(v) in C, or None for a number it leaves to Python."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_textops", NULL, -1, methods};

PyMODINIT_FUNC PyInit__textops(void)
{
#define INTERN(var, text)                                                                                    \
    if ((var = PyUnicode_InternFromString(text)) == NULL)                                                    \
        return NULL;
    INTERN(s_name, "name")
    INTERN(s_space, "space")
    INTERN(s_sep, " ")
#undef INTERN
    {
        static const char *names[NSLOTS] = {"face", "size", "shaped", "x", "space_before", "color", "text",
                                            "width", "glyphs", "kerns", "x", "baseline", "line", "spans",
                                            "tracking", "scale"};
        int i;
        for (i = 0; i < NSLOTS; i++) {
            slots[i].type = NULL;
            slots[i].offset = -1;
            if (names[i] == NULL) { /* a slot added to the enum and not named here */
                PyErr_SetString(PyExc_SystemError, "_textops: a slot has no name");
                return NULL;
            }
            if ((slots[i].name = PyUnicode_InternFromString(names[i])) == NULL)
                return NULL;
        }
    }
    return PyModule_Create(&module);
}
