// Smoke test of the installed package: headers, library and dependencies resolve, and a reduce
// works.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mpimr/mpimr.hpp>
#include <mpimr/version.hpp>  // generated at build time: checks that it is installed too

int main(int argc, char** argv) {
  mpimr::environment env{argc, argv};
  mpimr::context ctx;
  const auto sum = mpimr::reduce(
      ctx, mpimr::index_range{0, 1000}, std::uint64_t{0},
      [](mpimr::chunk c) {
        std::uint64_t s = 0;
        for (auto i : c.indices()) s += i;
        return s;
      },
      std::plus<>{});
  if (sum != 499500) {
    std::fprintf(stderr, "consumer: sum of 0..999 is %llu, expected 499500\n",
                 static_cast<unsigned long long>(sum));
    return 1;
  }
  std::printf("consumer: ok (%s)\n", MPIMR_VERSION_STRING);
  return 0;
}
