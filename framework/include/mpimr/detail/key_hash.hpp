// Stable hashing of keys, for choosing the rank that owns a key in a shuffle. Unlike std::hash, the
// value depends only on the key's bytes (xxHash's XXH3), so every rank and every machine of a job
// agree on ownership.
#pragma once

// Inlined: keys are hashed once per emit, and a call into the shared library costs ~5% of a word
// count (measured).
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "mpimr/detail/codec.hpp"

namespace mpimr::detail {

template <class K>
[[nodiscard]] std::uint64_t stable_key_hash(const K& key) {
  if constexpr (std::is_convertible_v<const K&, std::string_view>) {
    const std::string_view bytes(key);
    return XXH3_64bits(bytes.data(), bytes.size());
  } else if constexpr (std::is_floating_point_v<K>) {
    // Equal keys must hash equally: -0.0 == 0.0 but their bytes differ.
    const K normalised = key == K{0} ? K{0} : key;
    return XXH3_64bits(&normalised, sizeof(K));
  } else if constexpr (std::has_unique_object_representations_v<K>) {
    // Integers, enums and aggregates without padding: equal values have equal bytes. (The bytes
    // are the machine's: a job mixing little- and big-endian nodes would disagree.)
    return XXH3_64bits(&key, sizeof(K));
  } else {
    // Padding bytes are unspecified, so keys with padding go through the encoder, which for
    // trivially copyable types would copy the padding too: such keys need a serialize() function.
    static_assert(!std::is_trivially_copyable_v<K>,
                  "a key type with padding bytes needs a Boost serialize() function to be hashed");
    const byte_buffer bytes = to_bytes(key);
    return XXH3_64bits(bytes.data(), bytes.size());
  }
}

/// The rank that owns a key with this hash among `ranks` ranks.
[[nodiscard]] inline int owner_rank(std::uint64_t hash, int ranks) noexcept {
  const auto n = static_cast<std::uint64_t>(ranks);
  // The same value as hash % n; a mask when n is a power of two, since a 64-bit division per
  // emitted pair is a visible cost.
  return static_cast<int>((n & (n - 1)) == 0 ? hash & (n - 1) : hash % n);
}

}  // namespace mpimr::detail
