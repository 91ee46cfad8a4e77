// Fuzz target for the checkpoint journal reader (journal_format::scan): any bytes are read without
// an exception; what it returns re-encodes (encode_header, append_record) to exactly the input up
// to its last good record, so nothing that verifies is misread, and nothing that verifies is
// left out: no header, and no record at the first byte it did not use, would re-encode either.
#include <xxhash.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mpimr/detail/journal_format.hpp>
#include <span>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"

namespace {

namespace jf = mpimr::detail::journal_format;
using mpimr::detail::byte_buffer;

// The layout of journal_format.hpp, as offsets: "MPIMRJNL" | u32 version | u32 key length | key |
// u64 checksum; a record is a 32-byte head (u32 magic, u32 zero, u64 operation, u64 chunk, u64
// payload length), its payload and a u64 checksum.
constexpr std::size_t magic_bytes = 8;
constexpr std::size_t header_fixed_bytes = magic_bytes + 8;
constexpr std::size_t record_head_bytes = 32;
constexpr std::size_t checksum_bytes = 8;

template <class T>
T load(std::span<const std::byte> bytes, std::size_t at) {
  T value;
  std::memcpy(&value, bytes.data() + at, sizeof(T));
  return value;
}

/// True when `bytes` holds `expected` at `at`.
bool holds_at(std::span<const std::byte> bytes, std::size_t at,
              std::span<const std::byte> expected) {
  return expected.size() <= bytes.size() - at &&
         std::memcmp(bytes.data() + at, expected.data(), expected.size()) == 0;
}

/// The header the writer would produce for `key` under format `version`. encode_header only
/// writes the current version: for another one the version field is patched and the checksum
/// (XXH3 of everything before it) recomputed.
byte_buffer header_bytes(std::uint32_t version, std::string_view key) {
  byte_buffer out = jf::encode_header(key);
  if (version != jf::version) {
    std::memcpy(out.data() + magic_bytes, &version, sizeof version);
    const std::size_t body = out.size() - checksum_bytes;
    const std::uint64_t sum = XXH3_64bits(out.data(), body);
    std::memcpy(out.data() + body, &sum, sizeof sum);
  }
  return out;
}

/// The header at the start of `bytes` if it verifies, i.e. re-encodes to exactly these bytes.
bool header_verifies(std::span<const std::byte> bytes) {
  if (bytes.size() < header_fixed_bytes) return false;
  const auto key_length = load<std::uint32_t>(bytes, magic_bytes + 4);
  if (key_length > jf::max_key_bytes ||
      bytes.size() - header_fixed_bytes < std::uint64_t{key_length} + checksum_bytes) {
    return false;
  }
  const std::string_view key(reinterpret_cast<const char*>(bytes.data()) + header_fixed_bytes,
                             key_length);
  return holds_at(bytes, 0, header_bytes(load<std::uint32_t>(bytes, magic_bytes), key));
}

/// True when a record starting at `at` re-encodes to exactly the bytes there.
bool record_verifies(std::span<const std::byte> bytes, std::size_t at) {
  const std::size_t left = bytes.size() - at;
  if (left < record_head_bytes + checksum_bytes) return false;
  const auto length = load<std::uint64_t>(bytes, at + 24);
  if (length > left - record_head_bytes - checksum_bytes) return false;
  byte_buffer expected;
  jf::append_record(expected, load<std::uint64_t>(bytes, at + 8),
                    load<std::uint64_t>(bytes, at + 16),
                    bytes.subspan(at + record_head_bytes, static_cast<std::size_t>(length)));
  return holds_at(bytes, at, expected);
}

}  // namespace

void fuzz_check(std::string_view text) {
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(text.data()),
                                         text.size());
  const jf::scan_result scan = jf::scan(bytes);  // an exception here fails in fuzz::run_check

  if (!scan.header) {
    fuzz::expect(scan.records.empty(), "records returned without a header");
    fuzz::expect(!scan.bad_tail, "bad_tail set without a header");
    fuzz::expect(!header_verifies(bytes), "a header that verifies was not read");
    return;
  }
  // The header as read is the input's prefix, byte for byte.
  byte_buffer good = header_bytes(scan.header->version, scan.header->key);
  fuzz::expect(holds_at(bytes, 0, good), "the header read does not re-encode to the input");
  if (scan.header->version != jf::version) {
    // Another format's records are not ours to read: returned with none, for the caller to refuse.
    fuzz::expect(scan.records.empty(), "records read under another format version");
    return;
  }

  for (const jf::record_ref& r : scan.records) {
    // In order, contiguous and inside the input: each record starts where the last one ended.
    const std::size_t start = good.size();
    fuzz::expect(r.payload_offset == start + record_head_bytes,
                 "record " + std::to_string(r.chunk) + " does not start where the last one ended");
    fuzz::expect(r.payload_length <= bytes.size() &&
                     r.payload_offset <= bytes.size() - r.payload_length &&
                     bytes.size() - r.payload_offset - r.payload_length >= checksum_bytes,
                 "a record reaches past the end of the input");
    jf::append_record(good, r.operation, r.chunk,
                      bytes.subspan(static_cast<std::size_t>(r.payload_offset),
                                    static_cast<std::size_t>(r.payload_length)));
    fuzz::expect(
        holds_at(bytes, start, std::span(good).subspan(start)),
        "record at byte " + std::to_string(start) + " as read does not re-encode to the input");
  }
  fuzz::expect(scan.bad_tail == (good.size() < bytes.size()),
               scan.bad_tail ? "bad_tail set with no bytes after the last record"
                             : "bytes after the last record but bad_tail not set");
  fuzz::expect(!record_verifies(bytes, good.size()),
               "a record that verifies at byte " + std::to_string(good.size()) + " was left out");
}
