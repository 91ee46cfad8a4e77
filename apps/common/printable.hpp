// Input bytes quoted in a one-line error message, with every control byte shown as \xNN: a NUL
// would end the message early (what() is a C string) and a CR or an escape sequence would garble
// the terminal. Other bytes, UTF-8 included, are kept as they are. A long field is cut short: a
// 50 MB number in an input file made a 50 MB error line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace app {

/// Bytes of a field quoted in full; a longer one shows its first ones and its length.
inline constexpr std::size_t printable_bytes = 40;

[[nodiscard]] inline std::string printable(std::string_view bytes) {
  constexpr std::string_view hex = "0123456789abcdef";
  const std::size_t length = bytes.size();
  if (length > printable_bytes) {
    std::size_t cut = printable_bytes;
    // Not inside a UTF-8 sequence: back up over its continuation bytes (10xxxxxx).
    while (cut > 0 && (static_cast<unsigned char>(bytes[cut]) & 0xc0U) == 0x80U) --cut;
    bytes = bytes.substr(0, cut);
  }
  std::string out;
  out.reserve(bytes.size());
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      out += "\\x";
      out += hex[byte >> 4U];
      out += hex[byte & 0xfU];
    } else {
      out += c;
    }
  }
  if (bytes.size() < length) out += "... (" + std::to_string(length) + " bytes)";
  return out;
}

}  // namespace app
