// Which combining table a key-value shuffle uses, and so how its result is stored: std::string
// keys with plain values (word count) are packed into one byte array; any other types live in a
// vector of std::pair<K, V>.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "mpimr/detail/combining_table.hpp"
#include "mpimr/detail/packed_entries.hpp"
#include "mpimr/detail/packed_string_table.hpp"

namespace mpimr::detail {

template <class K, class V>
inline constexpr bool packs_entries = std::is_same_v<K, std::string>&& packable_value<V>;

template <class K, class V, class Combine>
struct table_selection {
  using table = combining_table<K, V, Combine>;
};
template <class K, class V, class Combine>
requires packs_entries<K, V>
struct table_selection<K, V, Combine> {
  using table = packed_string_table<V, Combine>;
};

/// The combining table for K and V.
template <class K, class V, class Combine>
using table_for = typename table_selection<K, V, Combine>::table;

template <class K, class V>
struct entries_selection {
  using type = std::vector<std::pair<K, V>>;
};
template <class K, class V>
requires packs_entries<K, V>
struct entries_selection<K, V> {
  using type = packed_entries<V>;
};

/// How the entries of a K -> V result are stored: what table_for<K, V, ...>::take_entries gives.
template <class K, class V>
using entries_for = typename entries_selection<K, V>::type;

}  // namespace mpimr::detail
