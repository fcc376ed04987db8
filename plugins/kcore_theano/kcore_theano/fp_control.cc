// Denormal handling for kcore-theano's functions: flush denormal results to zero and read
// denormal inputs as zero (the SSE control bits FTZ and DAZ), as TensorFlow's CPU threads
// do. kcore_theano/native.py sets them around each function call and then restores the
// caller's setting. Elsewhere than x86 both functions do nothing.
#if defined(__SSE2__)
#include <xmmintrin.h>

static const unsigned kFlushToZero = 0x8000, kDenormalsAreZero = 0x0040;

// Set FTZ and DAZ; return the previous control word.
extern "C" unsigned kcore_flush_denormals(void) {
  const unsigned previous = _mm_getcsr();
  _mm_setcsr(previous | kFlushToZero | kDenormalsAreZero);
  return previous;
}

extern "C" void kcore_restore_fp_control(unsigned previous) { _mm_setcsr(previous); }
#else
extern "C" unsigned kcore_flush_denormals(void) { return 0; }
extern "C" void kcore_restore_fp_control(unsigned) {}
#endif
