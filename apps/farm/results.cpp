// Writing the farm's results table and summary (see results.hpp).
#include "results.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <mpimr/mpimr.hpp>
#include <nlohmann/json.hpp>
#include <numeric>

#include "../common/printable.hpp"

namespace farm {
namespace {

/// "2026-12-02T02:31:05.123Z", or "" for a task that did not run.
std::string utc_time(std::int64_t ns) {
  if (ns == 0) return {};
  const std::time_t seconds = static_cast<std::time_t>(ns / 1'000'000'000);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &parts);
  return fmt::format("{}.{:03}Z", text, (ns / 1'000'000) % 1000);
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

/// Why a task could not start, or "".
std::string spawn_error(const task_record& r) {
  return r.spawn_errno == 0 ? std::string() : std::string(std::strerror(r.spawn_errno));
}

}  // namespace

std::string results_csv(const std::vector<std::string>& commands,
                        const std::vector<task_record>& records) {
  std::string out =
      "task,command,status,exit_status,signal,start,end,seconds,host,rank,attempts,error\n";
  for (std::size_t i = 0; i < commands.size(); ++i) {
    const task_record& r = records[i];
    out.append(fmt::format("{},{},{},", i + 1, csv_field(commands[i]), status_of(r)));
    if (r.ran()) {
      out.append(fmt::format("{},{},{},{},{:.6f},{},{},{},{}\n",
                             r.exit_status < 0 ? std::string() : std::to_string(r.exit_status),
                             r.signal, utc_time(r.start_ns), utc_time(r.end_ns), r.seconds,
                             csv_field(r.host_name()), r.rank, r.attempts,
                             csv_field(spawn_error(r))));
    } else {
      out.append(",,,,,,,0,\n");
    }
  }
  return out;
}

std::string results_json(const std::vector<std::string>& commands,
                         const std::vector<task_record>& records) {
  nlohmann::ordered_json table = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < commands.size(); ++i) {
    const task_record& r = records[i];
    nlohmann::ordered_json row;
    row["task"] = i + 1;
    row["command"] = commands[i];
    row["status"] = status_of(r);
    if (r.ran()) {
      row["exit_status"] =
          r.exit_status < 0 ? nlohmann::ordered_json() : nlohmann::ordered_json(r.exit_status);
      row["signal"] = r.signal;
      row["start"] = utc_time(r.start_ns);
      row["end"] = utc_time(r.end_ns);
      row["seconds"] = r.seconds;
      row["host"] = r.host_name();
      row["rank"] = r.rank;
      row["attempts"] = r.attempts;
      if (r.spawn_errno != 0) row["error"] = spawn_error(r);
    } else {
      row["attempts"] = 0;
    }
    table.push_back(std::move(row));
  }
  // Commands are bytes, not always UTF-8: invalid sequences become U+FFFD instead of failing.
  return table.dump(1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

void write_results(const std::string& folder, const std::vector<std::string>& commands,
                   const std::vector<task_record>& records) {
  // Both made before either is committed: a failure leaves neither half-written.
  mpimr::atomic_file csv(folder + "/results.csv");
  mpimr::atomic_file json(folder + "/results.json");
  csv.write(results_csv(commands, records));
  json.write(results_json(commands, records));
  csv.commit();
  json.commit();
}

std::string summary(const std::vector<std::string>& commands,
                    const std::vector<task_record>& records, const run_facts& facts) {
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::uint64_t timed_out = 0;
  std::uint64_t not_run = 0;
  std::uint64_t retried = 0;
  for (const task_record& r : records) {
    if (!r.ran()) {
      ++not_run;
      continue;
    }
    if (r.succeeded()) {
      ++ok;
    } else {
      ++failed;
    }
    if (r.timed_out != 0) ++timed_out;
    if (r.attempts > 1) ++retried;
  }
  std::string out = fmt::format(
      "farm: {} task(s) on {} rank(s) x {} at once, {:.2f} s: {} succeeded, {} failed ({} timed "
      "out), {} not run, {} retried\n",
      records.size(), facts.ranks, facts.per_rank, facts.seconds, ok, failed, timed_out, not_run,
      retried);
  std::vector<std::size_t> order(records.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  const std::size_t shown = std::min<std::size_t>(5, records.size() - not_run);
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(shown), order.end(),
                    [&](std::size_t a, std::size_t b) {
                      if (records[a].ran() != records[b].ran()) return records[a].ran();
                      return records[a].seconds > records[b].seconds;
                    });
  if (shown > 0) out.append("slowest:\n");
  for (std::size_t k = 0; k < shown; ++k) {
    const std::size_t i = order[k];
    out.append(fmt::format("  task {:>6} {:>9.3f} s  {:<7} {}\n", i + 1, records[i].seconds,
                           status_of(records[i]), app::printable(commands[i])));
  }
  out.append(fmt::format("results: {}/results.csv {}/results.json\n", facts.output_folder,
                         facts.output_folder));
  return out;
}

}  // namespace farm
