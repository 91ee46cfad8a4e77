// Writing and verifying journal bytes (see journal_format.hpp).
#include "mpimr/detail/journal_format.hpp"

#include <xxhash.h>

#include <cstring>

namespace mpimr::detail::journal_format {
namespace {

constexpr char file_magic[8] = {'M', 'P', 'I', 'M', 'R', 'J', 'N', 'L'};
constexpr std::uint32_t record_magic = 0x44524352;  // "RCRD"
constexpr std::size_t record_head_bytes = 32;

template <class T>
T load(std::span<const std::byte> bytes, std::size_t at) {
  T value;
  std::memcpy(&value, bytes.data() + at, sizeof(T));
  return value;
}

std::uint64_t record_checksum(std::span<const std::byte> head, std::span<const std::byte> payload) {
  return XXH3_64bits_withSeed(payload.data(), payload.size(),
                              XXH3_64bits(head.data(), head.size()));
}

}  // namespace

byte_buffer encode_header(std::string_view key) {
  byte_buffer out;
  byte_writer w(out);
  w.raw(file_magic, sizeof file_magic);
  w.pod(version);
  w.pod(static_cast<std::uint32_t>(key.size()));
  w.raw(key.data(), key.size());
  w.pod(static_cast<std::uint64_t>(XXH3_64bits(out.data(), out.size())));
  return out;
}

void append_record(byte_buffer& out, std::uint64_t operation, std::uint64_t chunk,
                   std::span<const std::byte> payload) {
  const std::size_t start = out.size();
  byte_writer w(out);
  w.pod(record_magic);
  w.pod(std::uint32_t{0});
  w.pod(operation);
  w.pod(chunk);
  w.pod(static_cast<std::uint64_t>(payload.size()));
  w.raw(payload.data(), payload.size());
  const std::span<const std::byte> written(out.data() + start, out.size() - start);
  w.pod(static_cast<std::uint64_t>(
      record_checksum(written.first(record_head_bytes), written.subspan(record_head_bytes))));
}

scan_result scan(std::span<const std::byte> file) {
  scan_result result;
  constexpr std::size_t fixed_head = sizeof file_magic + 8;
  if (file.size() < fixed_head || std::memcmp(file.data(), file_magic, sizeof file_magic) != 0) {
    return result;
  }
  const auto key_length = load<std::uint32_t>(file, sizeof file_magic + 4);
  if (key_length > max_key_bytes || file.size() - fixed_head < std::uint64_t{key_length} + 8) {
    return result;
  }
  const std::size_t header_end = fixed_head + key_length;
  if (load<std::uint64_t>(file, header_end) != XXH3_64bits(file.data(), header_end)) return result;
  file_header header;
  header.version = load<std::uint32_t>(file, sizeof file_magic);
  header.key.assign(reinterpret_cast<const char*>(file.data()) + fixed_head, key_length);
  result.header = std::move(header);
  if (result.header->version != version) return result;

  std::size_t at = header_end + 8;
  while (at < file.size()) {
    const std::size_t left = file.size() - at;
    if (left < record_head_bytes + 8 || load<std::uint32_t>(file, at) != record_magic ||
        load<std::uint32_t>(file, at + 4) != 0) {
      break;
    }
    const auto length = load<std::uint64_t>(file, at + 24);
    if (length > left - record_head_bytes - 8) break;
    const auto head = file.subspan(at, record_head_bytes);
    const auto payload = file.subspan(at + record_head_bytes, static_cast<std::size_t>(length));
    const std::size_t end = at + record_head_bytes + static_cast<std::size_t>(length);
    if (load<std::uint64_t>(file, end) != record_checksum(head, payload)) break;
    result.records.push_back({load<std::uint64_t>(file, at + 8), load<std::uint64_t>(file, at + 16),
                              at + record_head_bytes, length});
    at = end + 8;
  }
  result.bad_tail = at < file.size();
  return result;
}

}  // namespace mpimr::detail::journal_format
