// This rank's figures for the operation in progress, filled by the chunk loop and turned into a
// run_report when the operation ends (see report_collect.cpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "mpimr/options.hpp"
#include "traffic.hpp"

namespace mpimr::detail {

struct operation_stats {
  int depth = 0;  // nested public operations: only the outermost one reports
  std::chrono::steady_clock::time_point start{};
  traffic_totals traffic_at_start{};
  std::uint64_t chunks = 0;
  std::uint64_t items = 0;
  double busy_seconds = 0;
  // From the operation's request (the last one, should an operation run more than one loop).
  std::string label;
  mpimr::schedule schedule = mpimr::schedule::automatic;
  std::uint64_t chunk_size = 0;
  std::uint64_t chunk_count = 0;
  std::uint64_t range_size = 0;
};

}  // namespace mpimr::detail
