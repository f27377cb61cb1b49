// Error types of the core. The binding maps LinAlgError to a registered Python exception and
// std::invalid_argument to ValueError.
#pragma once

#include <stdexcept>
#include <string>

namespace hypercore {

/// A factorization that could not be repaired (even with the largest allowed jitter).
class LinAlgError : public std::runtime_error {
 public:
  explicit LinAlgError(const std::string& message) : std::runtime_error(message) {}
};

/// Throws std::invalid_argument("<argument>: <problem>") unless `condition` holds.
inline void require(bool condition, const std::string& argument, const std::string& problem) {
  if (!condition) throw std::invalid_argument(argument + ": " + problem);
}

}  // namespace hypercore
