/* _pagekey: pagecache.page_data in C (an optional accelerator).

   Reads a composed page's items (TextItem lines with their spans, RuleItems; other items carry no
   text and are skipped) and produces the bytes the page-cache key is hashed from: every number,
   string and flag the page's text and rule operators are made of, each tagged with its type, in
   the layout `pagecache.page_data_python` writes (the reference: tests hold the two equal).

   Returns None for a page holding anything else (a subclass of an item, a number of another type,
   a string that is not valid UTF-8, a big-endian machine): the caller then runs the Python code. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stdint.h>
#include <string.h>

enum { OK = 0, FALLBACK = 1, ERR = 2 };

enum { FACE, SHAPED, NAME, SPACE, SIZE, TEXT, KERNS, WIDTH, GLYPHS, X, SPACE_BEFORE, COLOR, LINE, BASELINE,
       TRACKING, SCALE, SPANS, X0, Y0, X1, Y1, NNAMES };
static const char *NAMES[NNAMES] = {"face", "shaped", "name", "space", "size", "text", "kerns", "width",
                                    "glyphs", "x", "space_before", "color", "line", "baseline", "tracking",
                                    "scale", "spans", "x0", "y0", "x1", "y1"};
static PyObject *names[NNAMES];

/* The frames' slotted classes (bind()), by argument: Span, Shaped, TextItem, Line, RuleItem. Their
   fields are read at their slots' offsets, as the slots' own descriptors read them. */
enum { SPAN_T, SHAPED_T, TEXT_T, LINE_T, RULE_T, NTYPES };
static PyTypeObject *types[NTYPES];
static Py_ssize_t offsets[NTYPES][NNAMES];

/* o.<name> as a new reference (o's class is `cls`, or another: then by getattr). */
static PyObject *get(PyObject *o, int cls, int name)
{
    if (cls < NTYPES && types[cls] != NULL && Py_IS_TYPE(o, types[cls]) && offsets[cls][name] >= 0) {
        PyObject *v = *(PyObject **)((char *)o + offsets[cls][name]);
        if (v != NULL) {
            Py_INCREF(v);
            return v;
        }
    }
    return PyObject_GetAttr(o, names[name]);
}

typedef struct {
    char *buf;
    Py_ssize_t len, cap;
    PyObject *face, *color; /* the span before's (strong references; see face_part) */
} Buf;

static int grow(Buf *b, Py_ssize_t more)
{
    if (b->len + more <= b->cap)
        return OK;
    Py_ssize_t cap = b->cap ? b->cap : 1 << 16;
    while (cap < b->len + more)
        cap *= 2;
    char *nb = PyMem_Realloc(b->buf, (size_t)cap);
    if (nb == NULL) {
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

static int tag(Buf *b, char t)
{
    return raw(b, &t, 1);
}

static int u32(Buf *b, Py_ssize_t n)
{
    uint32_t v = (uint32_t)n;
    if (n < 0 || n > 0xFFFFFFFFLL)
        return FALLBACK;
    return raw(b, &v, 4);
}

/* 'd' + a float's 8 bytes, or 'i' + an int's 8 bytes (little-endian, as struct "<d" and "<q"). */
static int num(Buf *b, PyObject *o)
{
    if (PyFloat_CheckExact(o)) {
        double v = PyFloat_AS_DOUBLE(o);
        if (tag(b, 'd') != OK)
            return ERR;
        return raw(b, &v, 8);
    }
    if (PyLong_CheckExact(o)) {
        int overflow = 0;
        long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
        int64_t w = (int64_t)v;
        if (overflow)
            return FALLBACK;
        if (v == -1 && PyErr_Occurred())
            return ERR;
        if (tag(b, 'i') != OK)
            return ERR;
        return raw(b, &w, 8);
    }
    return FALLBACK;
}

/* 's' + the UTF-8 length + the bytes. */
static int str(Buf *b, PyObject *o)
{
    Py_ssize_t n;
    const char *s;
    int r = ERR;
    if (!PyUnicode_CheckExact(o))
        return FALLBACK;
    s = PyUnicode_AsUTF8AndSize(o, &n);
    if (s == NULL) {
        PyErr_Clear(); /* a lone surrogate: Python's encoder writes it */
        return FALLBACK;
    }
    if (tag(b, 's') != OK || (r = u32(b, n)) != OK)
        return r == FALLBACK ? FALLBACK : ERR;
    return raw(b, s, n);
}

static int attr(Buf *b, PyObject *o, int cls, int name, int (*put)(Buf *, PyObject *))
{
    PyObject *v = get(o, cls, name);
    int r;
    if (v == NULL)
        return ERR;
    r = put(b, v);
    Py_DECREF(v);
    return r;
}

static int kerns(Buf *b, PyObject *o)
{
    Py_ssize_t i, n;
    int r = ERR;
    if (o == Py_None)
        return tag(b, 'n');
    if (!PyTuple_CheckExact(o))
        return FALLBACK;
    n = PyTuple_GET_SIZE(o);
    if (tag(b, 'k') != OK || (r = u32(b, n)) != OK)
        return r == FALLBACK ? FALLBACK : ERR;
    for (i = 0; i < n; i++)
        if ((r = num(b, PyTuple_GET_ITEM(o, i))) != OK)
            return r;
    return OK;
}

static int flag(Buf *b, PyObject *o)
{
    if (o == Py_True)
        return tag(b, 't');
    if (o == Py_False)
        return tag(b, 'f');
    return FALLBACK;
}

/* A span's face: 'F', its name and space, or '=' for the face of the span before (spans mostly share
   faces: the key's bytes shrink, and two getattrs on a dict-backed object are saved); the colour
   likewise. Both are kept in the call's own buffer (no state between calls or threads). */
static int face_part(Buf *b, PyObject *face)
{
    int r;
    if (face == b->face)
        return tag(b, '='); /* the span before's face */
    if ((r = tag(b, 'F')) != OK || (r = attr(b, face, NTYPES, NAME, str)) != OK
        || (r = attr(b, face, NTYPES, SPACE, num)) != OK)
        return r;
    Py_INCREF(face);
    Py_XSETREF(b->face, face);
    return OK;
}

/* '=' for the span before's colour (the very object), else the colour. */
static int color_part(Buf *b, PyObject *sp)
{
    PyObject *color = get(sp, SPAN_T, COLOR);
    int r;
    if (color == NULL)
        return ERR;
    if (color == b->color) {
        Py_DECREF(color);
        return tag(b, '=');
    }
    r = str(b, color);
    Py_XSETREF(b->color, color);
    return r;
}

/* A span: its face (face.name, face.space), size, shaped.text, shaped.kerns, shaped.width,
   shaped.glyphs, x, space_before, its colour. */
static int span(Buf *b, PyObject *sp)
{
    PyObject *face, *shaped;
    int r;
    if ((face = get(sp, SPAN_T, FACE)) == NULL)
        return ERR;
    if ((shaped = get(sp, SPAN_T, SHAPED)) == NULL) {
        Py_DECREF(face);
        return ERR;
    }
    if ((r = face_part(b, face)) == OK && (r = attr(b, sp, SPAN_T, SIZE, num)) == OK && (r = attr(b, shaped, SHAPED_T, TEXT, str)) == OK
        && (r = attr(b, shaped, SHAPED_T, KERNS, kerns)) == OK && (r = attr(b, shaped, SHAPED_T, WIDTH, num)) == OK
        && (r = attr(b, shaped, SHAPED_T, GLYPHS, num)) == OK && (r = attr(b, sp, SPAN_T, X, num)) == OK
        && (r = attr(b, sp, SPAN_T, SPACE_BEFORE, flag)) == OK)
        r = color_part(b, sp);
    Py_DECREF(face);
    Py_DECREF(shaped);
    return r;
}

/* 'T' + x, baseline, tracking, scale, the number of spans and the spans. */
static int text_item(Buf *b, PyObject *it)
{
    PyObject *ln, *spans = NULL;
    Py_ssize_t i, n;
    int r;
    if ((ln = get(it, TEXT_T, LINE)) == NULL)
        return ERR;
    if ((r = tag(b, 'T')) != OK || (r = attr(b, it, TEXT_T, X, num)) != OK || (r = attr(b, it, TEXT_T, BASELINE, num)) != OK
        || (r = attr(b, ln, LINE_T, TRACKING, num)) != OK || (r = attr(b, ln, LINE_T, SCALE, num)) != OK)
        goto done;
    r = ERR;
    if ((spans = get(ln, LINE_T, SPANS)) == NULL)
        goto done;
    r = FALLBACK;
    if (!PyList_CheckExact(spans))
        goto done;
    n = PyList_GET_SIZE(spans);
    if ((r = u32(b, n)) != OK)
        goto done;
    for (i = 0; i < n && r == OK; i++) {
        PyObject *sp = PyList_GET_ITEM(spans, i);
        Py_INCREF(sp);
        r = span(b, sp);
        Py_DECREF(sp);
        if (r == OK && PyList_GET_SIZE(spans) != n)
            r = FALLBACK;
    }
done:
    Py_DECREF(ln);
    Py_XDECREF(spans);
    return r;
}

/* 'R' + x0, y0, x1, y1, width, color. */
static int rule_item(Buf *b, PyObject *it)
{
    int r;
    if ((r = tag(b, 'R')) != OK || (r = attr(b, it, RULE_T, X0, num)) != OK || (r = attr(b, it, RULE_T, Y0, num)) != OK
        || (r = attr(b, it, RULE_T, X1, num)) != OK || (r = attr(b, it, RULE_T, Y1, num)) != OK
        || (r = attr(b, it, RULE_T, WIDTH, num)) != OK)
        return r;
    return attr(b, it, RULE_T, COLOR, str);
}

/* page_data(width, height, items, TextItem, RuleItem) -> bytes | None */
static PyObject *page_data(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Buf b = {NULL, 0, 0, NULL, NULL};
    PyObject *items, *result = NULL;
    PyTypeObject *text_t, *rule_t;
    Py_ssize_t i;
    int r;

    if (nargs != 5 || !PyList_CheckExact(args[2]) || !PyType_Check(args[3]) || !PyType_Check(args[4])) {
        PyErr_SetString(PyExc_TypeError, "page_data(width, height, items: list, TextItem, RuleItem)");
        return NULL;
    }
#if PY_BIG_ENDIAN
    Py_RETURN_NONE;
#endif
    items = args[2];
    text_t = (PyTypeObject *)args[3];
    rule_t = (PyTypeObject *)args[4];
    if ((r = num(&b, args[0])) == OK)
        r = num(&b, args[1]);
    for (i = 0; r == OK && i < PyList_GET_SIZE(items); i++) {
        PyObject *it = PyList_GET_ITEM(items, i);
        Py_INCREF(it);
        if (Py_IS_TYPE(it, text_t))
            r = text_item(&b, it);
        else if (Py_IS_TYPE(it, rule_t))
            r = rule_item(&b, it);
        else {
            int a = PyObject_IsInstance(it, (PyObject *)text_t), c = a ? a : PyObject_IsInstance(it, (PyObject *)rule_t);
            r = a < 0 || c < 0 ? ERR : (a || c) ? FALLBACK : OK; /* a subclass: Python's; anything else: no text */
        }
        Py_DECREF(it);
    }
    if (r == OK)
        result = PyBytes_FromStringAndSize(b.buf ? b.buf : "", b.len);
    else if (r == FALLBACK) {
        Py_INCREF(Py_None);
        result = Py_None;
    }
    PyMem_Free(b.buf);
    Py_XDECREF(b.face);
    Py_XDECREF(b.color);
    return result;
}

/* bind(Span, Shaped, TextItem, Line, RuleItem): read their fields at their slots (see get()). */
static PyObject *bind(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    int c, n;
    if (nargs != NTYPES) {
        PyErr_SetString(PyExc_TypeError, "bind() takes 5 classes");
        return NULL;
    }
    for (c = 0; c < NTYPES; c++) {
        PyObject *cls = args[c];
        types[c] = NULL;
        if (!PyType_Check(cls))
            continue;
        for (n = 0; n < NNAMES; n++) {
            PyObject *d = PyDict_GetItemWithError(((PyTypeObject *)cls)->tp_dict, names[n]); /* borrowed */
            offsets[c][n] = -1;
            if (d == NULL) {
                if (PyErr_Occurred())
                    return NULL;
                continue;
            }
            if (Py_IS_TYPE(d, &PyMemberDescr_Type) && ((PyMemberDescrObject *)d)->d_member->type == T_OBJECT_EX)
                offsets[c][n] = ((PyMemberDescrObject *)d)->d_member->offset;
        }
        Py_INCREF(cls);
        types[c] = (PyTypeObject *)cls; /* kept for good: a class bound once */
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"bind", (PyCFunction)(void (*)(void))bind, METH_FASTCALL, "The frames' slotted classes."},
    {"page_data", (PyCFunction)(void (*)(void))page_data, METH_FASTCALL, "What a page's cache key is hashed from."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pagekey", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__pagekey(void)
{
    int i;
    for (i = 0; i < NNAMES; i++)
        if ((names[i] = PyUnicode_InternFromString(NAMES[i])) == NULL)
            return NULL;
    return PyModule_Create(&module);
}
