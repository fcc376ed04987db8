// A numpy memory handler (NEP 49) whose arrays start at a 64-byte boundary, so that a
// backend can read a batch sliced from them in place: TensorFlow copies every fed array
// that does not (and glibc's malloc gives 16-byte boundaries).
//
// Each block is malloc'd 64 bytes larger; the data starts at the next 64-byte boundary
// past the block's start, and the byte just before the data holds that distance (1-64),
// so free and realloc find the block again. calloc stays calloc: big zero arrays keep
// their lazily mapped zero pages.
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_22_API_VERSION
#include <numpy/arrayobject.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

namespace {

constexpr size_t kAlign = 64;
// numpy's own handler asks for transparent huge pages from this size on; so do we.
constexpr size_t kHugePageFrom = size_t(4) << 20;

void *Place(char *block, size_t size) {
  if (block == nullptr) return nullptr;
  const size_t shift = kAlign - (reinterpret_cast<uintptr_t>(block) & (kAlign - 1));
  char *data = block + shift;
  data[-1] = static_cast<char>(shift);
#ifdef MADV_HUGEPAGE
  if (size >= kHugePageFrom) {
    const uintptr_t page = 4096;
    const uintptr_t first = (reinterpret_cast<uintptr_t>(data) + page - 1) & ~(page - 1);
    const uintptr_t last = (reinterpret_cast<uintptr_t>(data) + size) & ~(page - 1);
    if (last > first) madvise(reinterpret_cast<void *>(first), last - first, MADV_HUGEPAGE);
  }
#endif
  return data;
}

char *Block(void *data) {
  char *p = static_cast<char *>(data);
  return p - static_cast<unsigned char>(p[-1]);
}

void *Malloc(void *, size_t size) {
  if (size > SIZE_MAX - kAlign) return nullptr;
  return Place(static_cast<char *>(malloc(size + kAlign)), size);
}

void *Calloc(void *, size_t count, size_t item) {
  if (item != 0 && count > (SIZE_MAX - kAlign) / item) return nullptr;
  const size_t size = count * item;
  return Place(static_cast<char *>(calloc(size + kAlign, 1)), size);
}

void *Realloc(void *, void *data, size_t size) {
  if (data == nullptr) return Malloc(nullptr, size);
  if (size > SIZE_MAX - kAlign) return nullptr;
  char *old = Block(data);
  const size_t old_shift = static_cast<unsigned char>(static_cast<char *>(data)[-1]);
  char *block = static_cast<char *>(realloc(old, size + kAlign));
  if (block == nullptr) return nullptr;
  const size_t shift = kAlign - (reinterpret_cast<uintptr_t>(block) & (kAlign - 1));
  // The block may have moved to another boundary: move the data to the new one (the
  // block has room for size bytes from either offset).
  if (shift != old_shift) memmove(block + shift, block + old_shift, size);
  return Place(block, size);
}

void Free(void *, void *data, size_t) {
  if (data != nullptr) free(Block(data));
}

PyDataMem_Handler handler = {
    "kcore_aligned_64", 1, {nullptr, Malloc, Calloc, Realloc, Free}};

}  // namespace

// Makes the handler numpy's for the calling thread's context (numpy keeps the handler in a
// context variable); 0 on success, -1 with a Python exception set.
extern "C" int kcore_use_aligned_arrays(void) {
  if (_import_array() < 0) return -1;
  PyObject *capsule = PyCapsule_New(&handler, "mem_handler", nullptr);
  if (capsule == nullptr) return -1;
  PyObject *previous = PyDataMem_SetHandler(capsule);
  Py_DECREF(capsule);
  if (previous == nullptr) return -1;
  Py_DECREF(previous);
  return 0;
}
