// run_report's derived figures, its table and its JSON form.
#include "mpimr/run_report.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string_view>

#include "mpimr/atomic_file.hpp"
#include "mpimr/version.hpp"

namespace mpimr {
namespace {

double busy_sum(const run_report& report) noexcept {
  double sum = 0;
  for (const rank_report& r : report.ranks) sum += r.busy_seconds;
  return sum;
}

template <class... Args>
void append_format(std::string& out, const char* format, Args... args) {
  char line[512];
  const int n = std::snprintf(line, sizeof line, format, args...);
  if (n > 0) out.append(line, std::min(static_cast<std::size_t>(n), sizeof line - 1));
}

}  // namespace

double run_report::load_imbalance() const noexcept {
  if (ranks.empty()) return 1;
  double most = 0;
  for (const rank_report& r : ranks) most = std::max(most, r.busy_seconds);
  const double mean = busy_sum(*this) / static_cast<double>(ranks.size());
  return mean > 0 ? most / mean : 1;
}

double run_report::parallel_efficiency() const noexcept {
  if (ranks.empty() || wall_seconds <= 0) return 0;
  // Each rank's busy time is within its own wall time, itself within the longest: at most 1.
  return std::min(1.0, busy_sum(*this) / (static_cast<double>(ranks.size()) * wall_seconds));
}

void accumulate(run_report& total, const run_report& operation) {
  if (operation.operations == 0) return;
  if (total.operations == 0) {
    total = operation;
    return;
  }
  if (total.label != operation.label) total.label.clear();
  if (total.schedule != operation.schedule) total.schedule = "mixed";
  if (total.chunk_size != operation.chunk_size) total.chunk_size = 0;
  total.chunk_count += operation.chunk_count;
  total.items += operation.items;
  total.operations += operation.operations;
  total.wall_seconds += operation.wall_seconds;
  if (total.ranks.size() != operation.ranks.size()) return;  // another context: keep the first
  for (std::size_t i = 0; i < total.ranks.size(); ++i) {
    rank_report& t = total.ranks[i];
    const rank_report& o = operation.ranks[i];
    t.chunks += o.chunks;
    t.items += o.items;
    t.busy_seconds += o.busy_seconds;
    t.wait_seconds += o.wait_seconds;
    t.bytes_sent += o.bytes_sent;
    t.bytes_received += o.bytes_received;
  }
}

std::string format_table(const run_report& report) {
  std::size_t host_width = 4;
  for (const rank_report& r : report.ranks) host_width = std::max(host_width, r.host.size());
  const int hw = static_cast<int>(std::min<std::size_t>(host_width, 40));
  std::string out;
  append_format(
      out, "mpimr report%s%s: %llu operation%s, schedule %s, chunk size %llu, %llu chunks\n",
      report.label.empty() ? "" : " ", report.label.c_str(),
      static_cast<unsigned long long>(report.operations), report.operations == 1 ? "" : "s",
      report.schedule.c_str(), static_cast<unsigned long long>(report.chunk_size),
      static_cast<unsigned long long>(report.chunk_count));
  append_format(out, "%5s  %-*s %10s %14s %10s %10s %14s %14s\n", "rank", hw, "host", "chunks",
                "items", "busy_s", "wait_s", "bytes_sent", "bytes_recv");
  for (const rank_report& r : report.ranks) {
    append_format(out, "%5d  %-*.*s %10llu %14llu %10.3f %10.3f %14llu %14llu\n", r.rank, hw, hw,
                  r.host.c_str(), static_cast<unsigned long long>(r.chunks),
                  static_cast<unsigned long long>(r.items), r.busy_seconds, r.wait_seconds,
                  static_cast<unsigned long long>(r.bytes_sent),
                  static_cast<unsigned long long>(r.bytes_received));
  }
  append_format(out, "wall %.3f s, load imbalance (max/mean busy) %.3f, parallel efficiency %.3f\n",
                report.wall_seconds, report.load_imbalance(), report.parallel_efficiency());
  return out;
}

std::string to_json(const run_report& report) {
  nlohmann::ordered_json ranks = nlohmann::ordered_json::array();
  for (const rank_report& r : report.ranks) {
    ranks.push_back({{"rank", r.rank},
                     {"host", r.host},
                     {"chunks", r.chunks},
                     {"items", r.items},
                     {"busy_seconds", r.busy_seconds},
                     {"wait_seconds", r.wait_seconds},
                     {"bytes_sent", r.bytes_sent},
                     {"bytes_received", r.bytes_received}});
  }
  std::vector<std::string> hosts;
  for (const rank_report& r : report.ranks) {
    if (std::find(hosts.begin(), hosts.end(), r.host) == hosts.end()) hosts.push_back(r.host);
  }
  const nlohmann::ordered_json j = {{"mpimr_version", MPIMR_VERSION_STRING},
                                    {"label", report.label},
                                    {"operations", report.operations},
                                    {"schedule", report.schedule},
                                    {"chunk_size", report.chunk_size},
                                    {"chunk_count", report.chunk_count},
                                    {"items", report.items},
                                    {"rank_count", report.ranks.size()},
                                    {"hosts", hosts},
                                    {"wall_seconds", report.wall_seconds},
                                    {"load_imbalance", report.load_imbalance()},
                                    {"parallel_efficiency", report.parallel_efficiency()},
                                    {"ranks", ranks}};
  // Labels are the user's text: invalid UTF-8 is replaced rather than failing the whole report.
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

void write_json(const run_report& report, const std::filesystem::path& path) {
  atomic_file file(path);
  file.write(to_json(report));
  file.commit();
}

}  // namespace mpimr
