/* _items: a paragraph's breaker items from its words' rows, as layout/text/items.py joins them (an
   optional accelerator; ItemBuilder.items runs the same steps in Python when it is not built).

   join(runs, upper, known, measure, miss, long, end) splits the runs' text into words at the same
   white space as items._SPACES ([ \t\n\r\f\v\u2002-\u200a\u3000]+), each word a tuple of (variant,
   text) pieces exactly as ItemBuilder._words makes it; looks each word up in `known` (a dict of
   pieces -> (row, widest, key)), calling `miss(pieces)` for a word not there (it sets the word and
   returns its entry) and `long(entry, pieces)` for one whose widest fragment is wider than
   `measure` (it returns the row for this measure); then lays the rows' values, ten to an item,
   into the ten lists of the paragraph's items (boxes, widths, flex, sep, gw, gy, gz, hw, pen,
   flag), with the last item's separator `end` and its glue 0.0. Returns those ten lists, or None
   for a paragraph with no words. Anything unexpected (a run without str text, a row that is not a
   tuple of whole items) raises, so that a bug cannot pass silently.

   points(pointed_word, patterns, maxlen) finds a word's hyphenation points as pyphen does (see
   hyphenate.py), the breaks a word's items are cut at. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *s_text, *s_variant, *s_upper;

static int is_space(Py_UCS4 c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x2002 && c <= 0x200a) || c == 0x3000;
}

/* Append the tuple of `cur`'s pieces to `words` and empty `cur`. */
static int flush(PyObject *words, PyObject *cur)
{
    PyObject *t = PyList_AsTuple(cur);
    if (t == NULL)
        return -1;
    int r = PyList_Append(words, t);
    Py_DECREF(t);
    if (r < 0)
        return -1;
    return PyList_SetSlice(cur, 0, PyList_GET_SIZE(cur), NULL);
}

static int add_piece(PyObject *list, PyObject *variant, PyObject *text)
{
    PyObject *pair = PyTuple_Pack(2, variant, text);
    if (pair == NULL)
        return -1;
    int r = PyList_Append(list, pair);
    Py_DECREF(pair);
    return r;
}

/* ItemBuilder._words: the runs' words as tuples of (variant, text) pieces. */
static PyObject *split_words(PyObject *runs, int upper)
{
    PyObject *words = PyList_New(0), *cur = PyList_New(0);
    if (words == NULL || cur == NULL)
        goto fail;
    PyObject *seq = PySequence_Fast(runs, "runs must be a sequence");
    if (seq == NULL)
        goto fail;
    Py_ssize_t nruns = PySequence_Fast_GET_SIZE(seq);
    for (Py_ssize_t r = 0; r < nruns; r++) {
        PyObject *run = PySequence_Fast_GET_ITEM(seq, r);
        PyObject *text = PyObject_GetAttr(run, s_text);
        if (text == NULL)
            goto fail_seq;
        if (!PyUnicode_Check(text)) {
            Py_DECREF(text);
            PyErr_SetString(PyExc_TypeError, "a run's text is not a str");
            goto fail_seq;
        }
        if (upper) {
            PyObject *up = PyObject_CallMethodNoArgs(text, s_upper);
            Py_DECREF(text);
            if (up == NULL)
                goto fail_seq;
            text = up;
        }
        PyObject *variant = PyObject_GetAttr(run, s_variant);
        if (variant == NULL) {
            Py_DECREF(text);
            goto fail_seq;
        }
        Py_ssize_t n = PyUnicode_GET_LENGTH(text);
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        /* The parts between runs of white space, as re.split gives them: the first and last may be
           empty (the text begins or ends with white space), the others never are. */
        Py_ssize_t start = 0, i = 0, part = 0;
        int err = 0;
        for (;;) {
            while (i < n && !is_space(PyUnicode_READ(kind, data, i)))
                i++;
            int last = i >= n;
            PyObject *t = PyUnicode_Substring(text, start, i);
            if (t == NULL) {
                err = 1;
                break;
            }
            if (part == 0) {
                if (PyUnicode_GET_LENGTH(t) > 0 && add_piece(cur, variant, t) < 0)
                    err = 1;
                if (!err && !last && PyList_GET_SIZE(cur) > 0 && flush(words, cur) < 0)
                    err = 1;
            } else if (!last) {
                PyObject *one = PyList_New(0);
                if (one == NULL || add_piece(one, variant, t) < 0 || flush(words, one) < 0)
                    err = 1;
                Py_XDECREF(one);
            } else if (PyUnicode_GET_LENGTH(t) > 0 && add_piece(cur, variant, t) < 0) {
                err = 1;
            }
            Py_DECREF(t);
            if (err || last)
                break;
            while (i < n && is_space(PyUnicode_READ(kind, data, i)))
                i++;
            start = i;
            part++;
        }
        Py_DECREF(variant);
        Py_DECREF(text);
        if (err)
            goto fail_seq;
    }
    Py_DECREF(seq);
    if (PyList_GET_SIZE(cur) > 0 && flush(words, cur) < 0)
        goto fail;
    Py_DECREF(cur);
    return words;
fail_seq:
    Py_DECREF(seq);
fail:
    Py_XDECREF(words);
    Py_XDECREF(cur);
    return NULL;
}

static PyObject *join(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 7) {
        PyErr_SetString(PyExc_TypeError, "join(runs, upper, known, measure, miss, long, end)");
        return NULL;
    }
    PyObject *runs = args[0], *known = args[2], *measure = args[3], *miss = args[4], *longrow = args[5];
    PyObject *end = args[6];
    int upper = PyObject_IsTrue(args[1]);
    if (upper < 0)
        return NULL;
    if (!PyDict_Check(known)) {
        PyErr_SetString(PyExc_TypeError, "known must be a dict");
        return NULL;
    }
    PyObject *words = split_words(runs, upper);
    if (words == NULL)
        return NULL;
    Py_ssize_t nw = PyList_GET_SIZE(words);
    if (nw == 0) {
        Py_DECREF(words);
        Py_RETURN_NONE;
    }
    PyObject *cols[10] = {NULL};
    PyObject *out = NULL;
    for (int c = 0; c < 10; c++)
        if ((cols[c] = PyList_New(0)) == NULL)
            goto done;
    for (Py_ssize_t w = 0; w < nw; w++) {
        PyObject *pieces = PyList_GET_ITEM(words, w);
        PyObject *r = PyDict_GetItemWithError(known, pieces); /* borrowed */
        if (r != NULL) {
            Py_INCREF(r);
        } else {
            if (PyErr_Occurred())
                goto done;
            r = PyObject_CallOneArg(miss, pieces);
            if (r == NULL)
                goto done;
        }
        if (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) < 2) {
            Py_DECREF(r);
            PyErr_SetString(PyExc_TypeError, "a word's entry is not (row, widest, ...)");
            goto done;
        }
        int wide = PyObject_RichCompareBool(PyTuple_GET_ITEM(r, 1), measure, Py_GT);
        PyObject *row;
        if (wide < 0) {
            Py_DECREF(r);
            goto done;
        }
        if (wide) {
            row = PyObject_CallFunctionObjArgs(longrow, r, pieces, NULL);
            Py_DECREF(r);
            if (row == NULL)
                goto done;
        } else {
            row = PyTuple_GET_ITEM(r, 0);
            Py_INCREF(row);
            Py_DECREF(r);
        }
        if (!PyTuple_Check(row) || PyTuple_GET_SIZE(row) % 10 != 0) {
            Py_DECREF(row);
            PyErr_SetString(PyExc_TypeError, "a word's row is not a tuple of whole items");
            goto done;
        }
        Py_ssize_t k = PyTuple_GET_SIZE(row);
        for (Py_ssize_t j = 0; j < k; j++) {
            if (PyList_Append(cols[j % 10], PyTuple_GET_ITEM(row, j)) < 0) {
                Py_DECREF(row);
                goto done;
            }
        }
        Py_DECREF(row);
    }
    Py_ssize_t last = PyList_GET_SIZE(cols[3]) - 1;
    if (last < 0) {
        PyErr_SetString(PyExc_ValueError, "words without items");
        goto done;
    }
    Py_INCREF(end);
    PyList_SetItem(cols[3], last, end);
    for (int c = 4; c <= 6; c++) {
        PyObject *zero = PyFloat_FromDouble(0.0);
        if (zero == NULL)
            goto done;
        PyList_SetItem(cols[c], last, zero);
    }
    out = PyTuple_New(10);
    if (out == NULL)
        goto done;
    for (int c = 0; c < 10; c++) {
        PyTuple_SET_ITEM(out, c, cols[c]);
        cols[c] = NULL;
    }
done:
    for (int c = 0; c < 10; c++)
        Py_XDECREF(cols[c]);
    Py_DECREF(words);
    return out;
}

static PyObject *words(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "words(runs, upper)");
        return NULL;
    }
    int upper = PyObject_IsTrue(args[1]);
    if (upper < 0)
        return NULL;
    return split_words(args[0], upper);
}

/* Hyphenation points as pyphen's HyphDict.positions finds them (Liang's patterns): for each
   substring of the pointed word (".word.", lower case) no longer than the longest pattern, the
   pattern's levels raise the word's; an odd level between two letters is a point. `patterns` maps a
   pattern to (offset, levels): levels as bytes (the house shelf's form) or a tuple of ints (pyphen's
   own). None for anything else (the caller asks pyphen): the same points, without a Python string
   slice and a max() per letter. */
static PyObject *points(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyUnicode_Check(args[0]) || !PyDict_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "points(pointed_word, patterns, maxlen)");
        return NULL;
    }
    PyObject *word = args[0], *patterns = args[1];
    Py_ssize_t maxlen = PyLong_AsSsize_t(args[2]);
    if (maxlen == -1 && PyErr_Occurred())
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(word);
    long *refs = PyMem_Calloc((size_t)n + 1, sizeof(long));
    if (refs == NULL)
        return PyErr_NoMemory();
    PyObject *out = NULL;
    for (Py_ssize_t i = 0; i < n - 1; i++) {
        Py_ssize_t stop = (i + maxlen < n ? i + maxlen : n) + 1;
        for (Py_ssize_t j = i + 1; j < stop; j++) {
            PyObject *sub = PyUnicode_Substring(word, i, j);
            if (sub == NULL)
                goto done;
            PyObject *pat = PyDict_GetItemWithError(patterns, sub); /* borrowed */
            Py_DECREF(sub);
            if (pat == NULL) {
                if (PyErr_Occurred())
                    goto done;
                continue;
            }
            if (!PyTuple_CheckExact(pat) || PyTuple_GET_SIZE(pat) != 2 || !PyLong_CheckExact(PyTuple_GET_ITEM(pat, 0)))
                goto unknown;
            Py_ssize_t offset = PyLong_AsSsize_t(PyTuple_GET_ITEM(pat, 0));
            if (offset < 0) {
                PyErr_Clear();
                goto unknown;
            }
            PyObject *vals = PyTuple_GET_ITEM(pat, 1);
            Py_ssize_t start = i + offset;
            if (PyBytes_CheckExact(vals)) {
                const unsigned char *v = (const unsigned char *)PyBytes_AS_STRING(vals);
                Py_ssize_t m = PyBytes_GET_SIZE(vals);
                for (Py_ssize_t k = 0; k < m && start + k <= n; k++)
                    if (v[k] > refs[start + k])
                        refs[start + k] = v[k];
            } else if (PyTuple_CheckExact(vals)) {
                Py_ssize_t m = PyTuple_GET_SIZE(vals);
                for (Py_ssize_t k = 0; k < m && start + k <= n; k++) {
                    PyObject *o = PyTuple_GET_ITEM(vals, k);
                    if (!PyLong_Check(o))
                        goto unknown;
                    int overflow = 0;
                    long level = PyLong_AsLongAndOverflow(o, &overflow);
                    if (overflow || level < 0 || (level == -1 && PyErr_Occurred())) {
                        PyErr_Clear();
                        goto unknown;
                    }
                    if (level > refs[start + k])
                        refs[start + k] = level;
                }
            } else {
                goto unknown;
            }
        }
    }
    out = PyList_New(0);
    if (out == NULL)
        goto done;
    for (Py_ssize_t i = 0; i <= n; i++) {
        if (refs[i] % 2) {
            PyObject *p = PyLong_FromSsize_t(i - 1);
            if (p == NULL || PyList_Append(out, p) < 0) {
                Py_XDECREF(p);
                Py_CLEAR(out);
                goto done;
            }
            Py_DECREF(p);
        }
    }
    goto done;
unknown:
    out = Py_NewRef(Py_None);
done:
    PyMem_Free(refs);
    return out;
}

static PyMethodDef methods[] = {
    {"join", (PyCFunction)(void (*)(void))join, METH_FASTCALL,
     "join(runs, upper, known, measure, miss, long, end) -> the ten item lists, or None"},
    {"words", (PyCFunction)(void (*)(void))words, METH_FASTCALL, "words(runs, upper) -> as ItemBuilder._words"},
    {"points", (PyCFunction)(void (*)(void))points, METH_FASTCALL,
     "points(pointed_word, patterns, maxlen) -> pyphen's HyphDict.positions as ints, or None"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef items_module = {
    PyModuleDef_HEAD_INIT, "_items",
    "A paragraph's breaker items from its words' rows (layout.text.items in C): an optional accelerator.",
    -1, methods,
};

PyMODINIT_FUNC PyInit__items(void)
{
    s_text = PyUnicode_InternFromString("text");
    s_variant = PyUnicode_InternFromString("variant");
    s_upper = PyUnicode_InternFromString("upper");
    if (s_text == NULL || s_variant == NULL || s_upper == NULL)
        return NULL;
    return PyModule_Create(&items_module);
}
