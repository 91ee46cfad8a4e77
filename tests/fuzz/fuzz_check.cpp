// Failure reports of the fuzz checks (see fuzz_check.hpp).
#include "fuzz_check.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <utility>

namespace fuzz {
namespace {

std::string& current_input() {
  static std::string name;
  return name;
}

}  // namespace

void set_current_input(std::string name) { current_input() = std::move(name); }

void fail(std::string_view what) {
  // Messages quote input bytes: show control and non-ASCII bytes as \xNN, so that all of it shows,
  // and a backslash as \\, so that a byte shown as \xNN and those four characters differ.
  std::string shown;
  for (const char c : what) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\\') {
      shown += "\\\\";
    } else if (byte >= 0x20 && byte < 0x7f) {
      shown += c;
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", byte);
      shown += hex;
    }
  }
  const std::string& name = current_input();
  std::fprintf(stderr, "fuzz check failed%s%s: %s\n", name.empty() ? "" : " on ", name.c_str(),
               shown.c_str());
  std::fflush(stderr);
  std::abort();
}

void run_check(std::string_view bytes) {
  try {
    fuzz_check(bytes);
  } catch (const std::exception& e) {
    // The checks catch each parser's documented error type; whatever gets here was not documented.
    fail(std::string("undocumented exception escaped: ") + e.what());
  } catch (...) {
    fail("an exception not derived from std::exception escaped");
  }
}

}  // namespace fuzz
