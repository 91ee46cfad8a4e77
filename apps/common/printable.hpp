// Input bytes quoted in a one-line error message, with every control byte shown as \xNN: a NUL
// would end the message early (what() is a C string) and a CR or an escape sequence would garble
// the terminal. Other bytes, UTF-8 included, are kept as they are.
#pragma once

#include <string>
#include <string_view>

namespace app {

[[nodiscard]] inline std::string printable(std::string_view bytes) {
  constexpr std::string_view hex = "0123456789abcdef";
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
  return out;
}

}  // namespace app
