// The bytes of a checkpoint journal file: a header naming the job, then one checksummed record per
// finished chunk. Pure functions, so the reader can be fuzzed and tested byte by byte.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mpimr/detail/codec.hpp"

namespace mpimr::detail::journal_format {

/// Bumped whenever the layout below or the encoding of any journaled result changes.
inline constexpr std::uint32_t version = 1;
/// Longest job key a header may carry; a longer length field means a corrupt header.
inline constexpr std::uint64_t max_key_bytes = 1U << 20U;

// File:   "MPIMRJNL" | u32 version | u32 key length | key bytes | u64 XXH3 of all of these
// Record: u32 record magic | u32 zero | u64 operation | u64 chunk | u64 payload length | payload |
//         u64 XXH3 of the 32 header bytes and the payload
// Integers are little-endian (the hosts of one job share a byte order). A record is appended with
// one write(); a process killed mid-write leaves a short or unverifiable last record, never a
// wrong one that verifies.

struct file_header {
  std::uint32_t version = 0;
  std::string key;
};

struct record_ref {
  std::uint64_t operation = 0;
  std::uint64_t chunk = 0;
  std::uint64_t payload_offset = 0;  // from the start of the file
  std::uint64_t payload_length = 0;
};

struct scan_result {
  /// Empty when the header is missing, torn or fails its checksum: the file holds nothing usable.
  std::optional<file_header> header;
  std::vector<record_ref> records;  // every record before the first bad one
  /// True when bytes follow the last good record (a torn or corrupt record): they are not used.
  bool bad_tail = false;
};

[[nodiscard]] byte_buffer encode_header(std::string_view key);

/// Appends one record to `out`.
void append_record(byte_buffer& out, std::uint64_t operation, std::uint64_t chunk,
                   std::span<const std::byte> payload);

/// Reads a whole journal file. Never throws for bad bytes: whatever does not verify is left out.
/// A header of another format version is returned as read (its records are not scanned), so the
/// caller can say which version wrote it.
[[nodiscard]] scan_result scan(std::span<const std::byte> file);

}  // namespace mpimr::detail::journal_format
