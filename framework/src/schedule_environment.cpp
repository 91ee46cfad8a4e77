// MPIMR_SCHEDULE (see schedule_environment.hpp).
#include "schedule_environment.hpp"

#include <cerrno>
#include <cstdlib>
#include <string>
#include <string_view>

#include "environment_error.hpp"
#include "mpimr/errors.hpp"

namespace mpimr::detail {
namespace {

constexpr const char* variable = "MPIMR_SCHEDULE";

[[noreturn]] void reject(std::string_view text, std::string_view why) {
  reject_environment(variable, text, why);
}

std::uint64_t parse_chunk_size(std::string_view whole, std::string_view text) {
  const std::string digits(text);
  char* end = nullptr;
  errno = 0;
  const unsigned long long value = std::strtoull(digits.c_str(), &end, 10);
  if (digits.empty() || digits.front() < '0' || digits.front() > '9' || *end != '\0' ||
      errno == ERANGE || value == 0) {
    reject(whole, "the chunk size after the comma must be a whole number of indices from 1");
  }
  return value;
}

}  // namespace

schedule_default schedule_from_environment() {
  const char* raw = std::getenv(variable);
  if (raw == nullptr || *raw == '\0') return {};
  const std::string_view text(raw);
  const std::size_t comma = text.find(',');
  schedule_default out;
  try {
    out.schedule = parse_schedule(text.substr(0, comma));
  } catch (const invalid_argument& e) {
    reject(text, e.what());
  }
  if (comma != std::string_view::npos) {
    out.chunk_size = parse_chunk_size(text, text.substr(comma + 1));
  }
  return out;
}

}  // namespace mpimr::detail
