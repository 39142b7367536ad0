/* _setlines: the line filling of layout/text/justify.py in C (an optional accelerator).

   Reads one paragraph's runs as columns (justify._Runs: runs, the space before each with its
   stretch and shrink, widths, glyph counts, each box's first run), the breaker's ends and ratios,
   each line's measure and the style's numbers; produces the paragraph's `Line`s with their `Span`s,
   exactly as justify.build_lines_python does: the same hyphen span, optical margins, justification
   (word spaces first, then tracking and glyph scaling), alignment and overfull check, every sum
   and product in the Python order in doubles (no contraction of a*b+c: see setup.py's flags),
   min() and max() keeping the first extreme as Python's do.

   Returns None when the input is anything the Python code might treat differently (list items
   that are not plain floats, ints or bools, a line with no runs, ends out of order): the caller
   then runs the Python code, which stays the reference. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define SPACE 0
#define HYPH 1
#define JOIN 2

static PyObject *s_width, *s_shape, *s_text, *s_glyphs, *s_dash;

/* Python's min(a, b) and max(a, b): the first argument unless the second is strictly beyond it. */
static double pymin(double a, double b) { return b < a ? b : a; }
static double pymax(double a, double b) { return b > a ? b : a; }

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
    PyObject *runs, *before, *first, *sep, *flag;
    double *gaps, *stretch, *shrink, *wk, *wsz;
    long long *glyphs, *firsts, *seps;
    double *g; /* one line's spaces: its runs', then the hyphen's */
} Para;

static void para_free(Para *p)
{
    PyMem_Free(p->gaps);
    PyMem_Free(p->glyphs);
    PyMem_Free(p->firsts);
    PyMem_Free(p->seps);
    PyMem_Free(p->g);
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
            sargs[4] = (i == 0 || i >= b - a) ? Py_False : PyList_GET_ITEM(p->before, a + i);
            sargs[5] = PyTuple_GET_ITEM(run, 2);
            sp = PyObject_Vectorcall(Span, sargs, 6, NULL);
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
        line = PyObject_Vectorcall(Line, args, 12, NULL);
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
    PyObject *ends, *ratios, *widths, *size_o, *para, *hang_left, *hang_right, *Span, *Line, *out = NULL;
    int justify, align, optical;
    double indent, letter, gs_lo, gs_hi, ws_ratio;
    Py_ssize_t nlines, i, s = 0;

    if (nargs != 26) {
        PyErr_SetString(PyExc_TypeError, "set_lines takes 26 arguments");
        return NULL;
    }
    memset(&p, 0, sizeof p);
    p.runs = args[0];
    p.before = args[4];
    p.first = args[8];
    p.sep = args[9];
    p.flag = args[10];
    ends = args[11];
    ratios = args[12];
    widths = args[13];
    size_o = args[14];
    justify = PyObject_IsTrue(args[15]);
    align = (int)PyLong_AsLong(args[16]);
    para = args[18];
    optical = PyObject_IsTrue(args[19]);
    hang_left = args[24];
    hang_right = args[25];
    Span = args[22];
    Line = args[23];
    if (justify < 0 || optical < 0 || (align == -1 && PyErr_Occurred()))
        return NULL;
    if (!PyList_CheckExact(p.runs) || !PyList_CheckExact(p.sep) || !PyList_CheckExact(ends) ||
        !PyList_CheckExact(ratios) || !PyList_CheckExact(widths) || !PyFloat_CheckExact(size_o) ||
        !PyFloat_CheckExact(args[17]) || !PyFloat_CheckExact(args[20]) || !PyTuple_CheckExact(args[21]) ||
        PyTuple_GET_SIZE(args[21]) != 3 || !PyDict_CheckExact(hang_left) || !PyDict_CheckExact(hang_right))
        Py_RETURN_NONE;
    for (i = 0; i < 3; i++)
        if (!PyFloat_CheckExact(PyTuple_GET_ITEM(args[21], i)))
            Py_RETURN_NONE;
    indent = PyFloat_AS_DOUBLE(args[17]);
    letter = PyFloat_AS_DOUBLE(args[20]);
    gs_lo = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(args[21], 0));
    gs_hi = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(args[21], 1));
    ws_ratio = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(args[21], 2));
    p.nruns = PyList_GET_SIZE(p.runs);
    p.nboxes = PyList_GET_SIZE(p.sep);
    nlines = PyList_GET_SIZE(ends);
    if (PyList_GET_SIZE(widths) != nlines)
        Py_RETURN_NONE;
    for (i = 0; i < p.nruns; i++) {
        PyObject *r = PyList_GET_ITEM(p.runs, i);
        if (!PyTuple_CheckExact(r) || PyTuple_GET_SIZE(r) != 3)
            Py_RETURN_NONE;
    }
    for (i = 0; i < nlines; i++)
        if (!PyFloat_CheckExact(PyList_GET_ITEM(widths, i)))
            Py_RETURN_NONE;
    p.gaps = PyMem_Malloc(sizeof(double) * (5 * (size_t)p.nruns + 1));
    p.glyphs = PyMem_Malloc(sizeof(long long) * ((size_t)p.nruns + 1));
    p.firsts = PyMem_Malloc(sizeof(long long) * ((size_t)p.nboxes + 1));
    p.seps = PyMem_Malloc(sizeof(long long) * ((size_t)p.nboxes + 1));
    p.g = PyMem_Malloc(sizeof(double) * ((size_t)p.nruns + 2));
    if (!p.gaps || !p.glyphs || !p.firsts || !p.seps || !p.g) {
        para_free(&p);
        return PyErr_NoMemory();
    }
    p.stretch = p.gaps + p.nruns;
    p.shrink = p.stretch + p.nruns;
    p.wk = p.shrink + p.nruns;
    p.wsz = p.wk + p.nruns;
    if (!floats(args[1], p.nruns, p.gaps) || !floats(args[2], p.nruns, p.stretch) ||
        !floats(args[3], p.nruns, p.shrink) || !bools(p.before, p.nruns) || !floats(args[5], p.nruns, p.wk) ||
        !floats(args[6], p.nruns, p.wsz) || !ints(args[7], p.nruns, p.glyphs) ||
        !ints(p.sep, p.nboxes, p.seps) || !bools(p.flag, p.nboxes))
        goto decline;
    if (p.first == Py_None) {
        if (p.nruns != p.nboxes)
            goto decline;
        for (i = 0; i <= p.nboxes; i++)
            p.firsts[i] = i;
    } else if (!ints(p.first, p.nboxes + 1, p.firsts))
        goto decline;
    out = PyList_New(nlines);
    if (out == NULL)
        goto done;
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
    goto done;
decline:
    Py_XDECREF(out);
    para_free(&p);
    Py_RETURN_NONE;
fail:
    Py_CLEAR(out);
done:
    para_free(&p);
    return out;
}

static PyMethodDef methods[] = {
    {"set_lines", (PyCFunction)(void (*)(void))set_lines, METH_FASTCALL,
     "set_lines(runs, gaps, stretch, shrink, before, wk, wsz, glyphs, first, sep, flag, ends, ratios, widths,\n"
     "size, justify, align, indent, para, optical, letter_spacing, (gs_lo, gs_hi, ws_ratio), Span, Line,\n"
     "hang_left, hang_right) -> list of Line, or None to decline (see justify.build_lines_python)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_setlines", NULL, -1, methods};

PyMODINIT_FUNC PyInit__setlines(void)
{
    s_width = PyUnicode_InternFromString("width");
    s_shape = PyUnicode_InternFromString("shape");
    s_text = PyUnicode_InternFromString("text");
    s_glyphs = PyUnicode_InternFromString("glyphs");
    s_dash = PyUnicode_InternFromString("-");
    if (!s_width || !s_shape || !s_text || !s_glyphs || !s_dash)
        return NULL;
    return PyModule_Create(&module);
}
