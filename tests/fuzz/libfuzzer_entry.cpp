// libFuzzer's entry point for every fuzz target: the bytes go to the target's check function.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::run_check(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
