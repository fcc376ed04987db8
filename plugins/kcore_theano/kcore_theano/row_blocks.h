// Shares the rows of a batch (or of a matrix) among threads for kcore-theano's kernels:
// PyTensor runs each Op on one thread, so a kernel that is handed the whole batch starts
// its own. Each thread takes the next block of rows when it is free, so a thread whose core
// another process keeps busy takes fewer blocks instead of holding the others up.
#ifndef KCORE_THEANO_ROW_BLOCKS_H_
#define KCORE_THEANO_ROW_BLOCKS_H_

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace kcore_theano {

// Whether a call returns once its blocks are done, without joining helper threads that
// never took one: on a machine whose cores other processes keep busy, a helper can wait
// milliseconds to run at all, and joining it held the call up that long after the caller
// itself had done every block. KCORE_THEANO_THREAD_EARLY_RETURN=0 joins them all.
inline bool EarlyReturn() {
  static const bool on = [] {
    const char* value = std::getenv("KCORE_THEANO_THREAD_EARLY_RETURN");
    return value == nullptr || std::strcmp(value, "0") != 0;
  }();
  return on;
}

// Runs work(worker, i) for i in [0, blocks) on `workers` threads, the caller's (worker 0)
// included, each taking the next block when it is free. A helper that starts after all
// blocks are taken leaves without touching `work`: the call waits for the blocks only.
template <typename Work>
void ForBlocks(int64_t blocks, int workers, const Work& work) {
  if (workers <= 1 || blocks <= 1) {
    for (int64_t i = 0; i < blocks; ++i) work(0, i);
    return;
  }
  struct Shared {   // outlives the call while a late helper still holds it
    std::atomic<int64_t> next{0}, done{0};
    std::mutex mutex;
    std::condition_variable finished;
  };
  auto shared = std::make_shared<Shared>();
  const Work* task = &work;
  auto run = [shared, task, blocks](int worker) {
    for (int64_t i = shared->next++; i < blocks; i = shared->next++) {
      (*task)(worker, i);
      if (++shared->done == blocks) {
        std::lock_guard<std::mutex> lock(shared->mutex);
        shared->finished.notify_all();
      }
    }
  };
  const bool early = EarlyReturn();
  std::vector<std::thread> helpers;
  for (int w = 1; w < workers; ++w) helpers.emplace_back(run, w);
  run(0);
  for (auto& helper : helpers) {
    if (early) helper.detach(); else helper.join();
  }
  std::unique_lock<std::mutex> lock(shared->mutex);
  shared->finished.wait(lock, [&] { return shared->done.load() == blocks; });
}

// Runs work(begin, end) over [0, rows) in blocks of at least `min_rows` rows, at least
// `blocks_per_thread` blocks per thread, on up to `threads` threads; a thread only for each
// `cost_per_thread` of the call's `cost` (starting one costs some tens of microseconds).
// More blocks: less waiting for a thread that was preempted in its last one.
template <typename Work>
void ForRowBlocks(int64_t rows, int threads, int64_t cost, int64_t cost_per_thread,
                  int64_t min_rows, int64_t blocks_per_thread, const Work& work) {
  int64_t used = std::min<int64_t>(threads, cost / std::max<int64_t>(cost_per_thread, 1));
  used = std::max<int64_t>(1, std::min(used, rows / std::max<int64_t>(min_rows, 1)));
  if (used <= 1) {
    if (rows > 0) work(int64_t{0}, rows);
    return;
  }
  const int64_t split = used * std::max<int64_t>(blocks_per_thread, 1);
  const int64_t block = std::max(min_rows, (rows + split - 1) / split);
  ForBlocks((rows + block - 1) / block, static_cast<int>(used), [&](int, int64_t i) {
    work(i * block, std::min(rows, (i + 1) * block));
  });
}

// Runs work(begin, end) over the rows of a recurrent sequence's batch, the split all the
// fused loops share: a thread for each ~4M multiply-adds of the recurrent products (about a
// millisecond of work), two blocks per thread of at least 4 rows (each block reads all of
// the recurrent weights at every step).
template <typename Work>
void ForSequenceRows(int64_t batch, int64_t steps, int64_t units, int64_t gates, int threads,
                     const Work& work) {
  ForRowBlocks(batch, threads, batch * steps * gates * units * units, int64_t{4} << 20, 4, 2,
               work);
}

}  // namespace kcore_theano

#endif  // KCORE_THEANO_ROW_BLOCKS_H_
