/* The interpreter's object arenas made resident in one step when they are made.

Python's small objects live in 1 MiB arenas it maps from the system. Each page of a new arena was
then made resident by a page fault the first time an object was put there: on the virtual machines
we measured, 2.5-2.9 us a page, where asking for the whole arena at once (MADV_POPULATE_WRITE,
Linux 5.14) costs 1.2 us a page. A 16-page render makes 40-45 arenas in this process alone (10,000
faults). `populate_arenas()` puts a hook around the arena allocator (it still maps and unmaps; only
the faults are taken in one call); forked children inherit it. Arenas are filled pool by pool to
the end, so little of what is made resident goes unused (at most one arena's worth per process).
Nothing changes what any code computes: only when pages become resident.
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#define HAVE_POPULATE 1
#else
#define HAVE_POPULATE 0
#endif

static PyObjectArenaAllocator previous;
static int installed;
static unsigned long made, populated;
static void *last_arena;
static size_t last_size;

#if HAVE_POPULATE
static void *arena_alloc(void *ctx, size_t size) {
    void *p = previous.alloc(previous.ctx, size);
    made++;
    last_arena = p;
    last_size = size;
    /* A refusal (no memory to commit now) leaves the pages to be faulted in as before. */
    if (p != NULL && madvise(p, size, MADV_POPULATE_WRITE) == 0)
        populated++;
    return p;
}

static void arena_free(void *ctx, void *ptr, size_t size) {
    previous.free(previous.ctx, ptr, size);
}

/* Whether this kernel knows MADV_POPULATE_WRITE (older ones answer EINVAL). */
static int kernel_populates(void) {
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0)
        return 0;
    void *m = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return 0;
    int ok = madvise(m, (size_t)page, MADV_POPULATE_WRITE) == 0;
    munmap(m, (size_t)page);
    return ok;
}
#endif

static PyObject *populate_arenas(PyObject *self, PyObject *unused) {
#if HAVE_POPULATE
    if (installed)
        Py_RETURN_TRUE;
    if (!kernel_populates())
        Py_RETURN_FALSE;
    PyObject_GetArenaAllocator(&previous);
    PyObjectArenaAllocator hook = {NULL, arena_alloc, arena_free};
    PyObject_SetArenaAllocator(&hook);
    installed = 1;
    Py_RETURN_TRUE;
#else
    Py_RETURN_FALSE;
#endif
}

static PyObject *counts(PyObject *self, PyObject *unused) {
    return Py_BuildValue("(kk)", made, populated);
}

static PyObject *last(PyObject *self, PyObject *unused) {
    return Py_BuildValue("(kn)", (unsigned long)(uintptr_t)last_arena, (Py_ssize_t)last_size);
}

static PyMethodDef methods[] = {
    {"populate_arenas", populate_arenas, METH_NOARGS,
     "Make each new object arena resident in one step from now on (this process and the children it "
     "forks); True if in place (or already), False where the system cannot (nothing changed)."},
    {"counts", counts, METH_NOARGS, "(arenas made, arenas made resident at once) since the hook was put in place."},
    {"last", last, METH_NOARGS, "(address, size) of the last arena made since the hook was put in place ((0, 0): none)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_arenas", NULL, -1, methods};

PyMODINIT_FUNC PyInit__arenas(void) { return PyModule_Create(&module); }
