// MPIMR_PROGRESS (see progress_environment.hpp).
#include "progress_environment.hpp"

#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>

#include "environment_error.hpp"
#include "mpimr/errors.hpp"

namespace mpimr::detail {
namespace {

constexpr const char* variable = "MPIMR_PROGRESS";

[[noreturn]] void reject(std::string_view text, std::string_view why) {
  reject_environment(variable, text, why);
}

}  // namespace

progress_settings progress_from_environment() {
  const char* raw = std::getenv(variable);
  if (raw == nullptr || *raw == '\0') return {};
  const std::string_view text(raw);
  const std::size_t comma = text.find(',');
  const std::string_view mode = text.substr(0, comma);
  progress_settings out;
  if (mode == "on") {
    out.mode = progress_mode::on;
  } else if (mode == "off") {
    out.mode = progress_mode::off;
  } else if (mode != "auto") {
    reject(text, "expected on, off or auto, optionally followed by ,SECONDS");
  }
  if (comma != std::string_view::npos) {
    const std::string seconds(text.substr(comma + 1));
    char* end = nullptr;
    const double value = seconds.empty() ? NAN : std::strtod(seconds.c_str(), &end);
    if (std::isnan(value) || *end != '\0' || value < 0.01 || value > 1e6) {
      reject(text, "the interval after the comma must be a number of seconds from 0.01 to 1e6");
    }
    out.interval_seconds = value;
  }
  return out;
}

}  // namespace mpimr::detail
