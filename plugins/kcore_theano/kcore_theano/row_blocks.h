// Shares the rows of a batch (or of a matrix) among threads for kcore-theano's kernels:
// PyTensor runs each Op on one thread, so a kernel that is handed the whole batch starts
// its own. Each thread takes the next block of rows when it is free, so a thread whose core
// another process keeps busy takes fewer blocks instead of holding the others up.
#ifndef KCORE_THEANO_ROW_BLOCKS_H_
#define KCORE_THEANO_ROW_BLOCKS_H_

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace kcore_theano {

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
  const int64_t blocks = (rows + block - 1) / block;
  std::atomic<int64_t> next{0};
  auto run = [&]() {
    for (int64_t i = next++; i < blocks; i = next++)
      work(i * block, std::min(rows, (i + 1) * block));
  };
  std::vector<std::thread> helpers;
  for (int64_t t = 1; t < used; ++t) helpers.emplace_back(run);
  run();
  for (auto& helper : helpers) helper.join();
}

}  // namespace kcore_theano

#endif  // KCORE_THEANO_ROW_BLOCKS_H_
