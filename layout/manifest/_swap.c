/* Two names exchanged in one step (Linux's renameat2 with RENAME_EXCHANGE), for renaming.Renaming.

   A finished PDF renamed over an earlier one on ext4 has its whole write-back started by the rename
   first (auto_da_alloc: 10-15 ms for 31 MB), and the earlier file's blocks freed, before the rename
   returns. Exchanged with it instead, the new file is in place at once; the earlier one, now under
   the temporary's name, is removed, and the new file's write-back started, by the renaming thread
   while the render goes on. CPython API only; elsewhere (no renameat2) it raises OSError with ENOSYS
   and the caller renames as before. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#ifdef __linux__
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static PyObject *exchange(PyObject *self, PyObject *args) {
    PyObject *na, *nb, *a = NULL, *b = NULL;
    if (!PyArg_ParseTuple(args, "OO:exchange", &na, &nb)) return NULL;
    if (!PyUnicode_FSConverter(na, &a)) return NULL;
    if (!PyUnicode_FSConverter(nb, &b)) {
        Py_DECREF(a);
        return NULL;
    }
    int rc = -1, err = ENOSYS;
#if defined(__linux__) && defined(SYS_renameat2)
    const char *pa = PyBytes_AS_STRING(a), *pb = PyBytes_AS_STRING(b);
    Py_BEGIN_ALLOW_THREADS
    rc = (int)syscall(SYS_renameat2, AT_FDCWD, pa, AT_FDCWD, pb, RENAME_EXCHANGE);
    err = errno;
    Py_END_ALLOW_THREADS
#endif
    if (rc != 0) {
        errno = err;
        PyErr_SetFromErrnoWithFilenameObjects(PyExc_OSError, na, nb);
        Py_DECREF(a);
        Py_DECREF(b);
        return NULL;
    }
    Py_DECREF(a);
    Py_DECREF(b);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"exchange", exchange, METH_VARARGS, "exchange(a, b): the files named a and b swap names, in one step."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_swap", NULL, -1, methods};

PyMODINIT_FUNC PyInit__swap(void) { return PyModule_Create(&module); }
