// A minimal parallel-for over index ranges on std::thread: each worker takes a contiguous block, so results
// written per index are deterministic whatever the thread count.
#pragma once

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

namespace hypercore {

/// Number of worker threads to use: `requested` if positive, else the hardware concurrency.
inline int resolve_threads(int requested) {
  if (requested > 0) return requested;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

/// Calls body(begin, end) on disjoint blocks covering [0, n) using up to `threads` threads. Blocks smaller than
/// `min_block` are not split further. The first exception thrown by a block is rethrown in the caller.
template <typename Body>
void parallel_blocks(long n, int threads, long min_block, Body&& body) {
  if (n <= 0) return;
  const long workers = std::max(1L, std::min<long>(threads, (n + min_block - 1) / std::max(1L, min_block)));
  if (workers == 1) {
    body(0L, n);
    return;
  }
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(static_cast<size_t>(workers));
  const long block = (n + workers - 1) / workers;
  for (long w = 0; w < workers; ++w) {
    const long begin = w * block;
    const long end = std::min(n, begin + block);
    if (begin >= end) break;
    pool.emplace_back([&, w, begin, end] {
      try {
        body(begin, end);
      } catch (...) {
        errors[static_cast<size_t>(w)] = std::current_exception();
      }
    });
  }
  for (auto& thread : pool) thread.join();
  for (auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

}  // namespace hypercore
