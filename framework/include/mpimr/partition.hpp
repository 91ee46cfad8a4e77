// Which rank owns a key after a key-value shuffle. The default is a stable hash of the key's bytes,
// so ownership is the same on every machine; a custom partitioner (any callable int(const K&, int
// ranks)) can instead keep key ranges together, e.g. so that rank order is key order.
#pragma once

#include "mpimr/detail/key_hash.hpp"

namespace mpimr {

/// XXH3 of the key's bytes modulo the rank count (not std::hash, which differs between builds).
struct hash_partition {
  template <class K>
  [[nodiscard]] int operator()(const K& key, int ranks) const {
    return detail::owner_rank(detail::stable_key_hash(key), ranks);
  }
};

}  // namespace mpimr
