// wordcount: counts words in text files and folders with mpimr::map_reduce_by_key. A word is a
// maximal run of ASCII letters, lowercased; every other byte (digits, UTF-8, NUL, ...) separates
// words. The counts are exact integers, so any rank count, schedule and split size gives the same
// output.
#include <fmt/core.h>
#include <mpi.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>
#include <mpimr/mpimr.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace {

struct settings {
  std::vector<std::filesystem::path> inputs;
  std::optional<std::string> output;
  std::optional<std::uint64_t> top;
  std::uint64_t split_bytes = std::uint64_t{8} << 20U;
  mpimr::schedule schedule = mpimr::schedule::automatic;
};

/// Either settings to run with, or the exit code to leave with (0 after --help, 2 on bad
/// arguments).
struct parsed {
  std::optional<settings> run;
  int exit_code = 0;
};

/// A positive decimal integer that fits in 64 bits, digits only.
std::optional<std::uint64_t> parse_positive(std::string_view text) {
  std::uint64_t value = 0;
  if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value == 0) return std::nullopt;
  return value;
}

/// Every rank parses the same argv the same way, so all of them agree on the outcome without
/// talking; only `print` (rank 0) says anything.
parsed parse_arguments(int argc, char** argv, bool print) {
  std::vector<std::string> inputs;
  std::string output;
  std::string top_text;
  std::string split_text = "8388608";
  std::string schedule_text = "auto";
  CLI::App app{
      "Counts words (maximal runs of ASCII letters, lowercased) in text files and folders. "
      "Without --output or --top, prints the number of distinct words and of all words.",
      "wordcount"};
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("inputs", inputs, "Files, or folders whose files are read recursively")
      ->type_name("PATH")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--output,-o", output,
                 "Write every 'word<TAB>count' line, sorted by word (byte order), to FILE")
      ->type_name("FILE");
  app.add_option("--top", top_text, "Print the K most frequent words as 'count<TAB>word' lines")
      ->type_name("K");
  app.add_option("--split-bytes", split_text, "Bytes per unit of work handed to a rank")
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--schedule", schedule_text,
                 "How splits go to ranks: auto, static, dynamic or guided")
      ->type_name("NAME")
      ->capture_default_str();

  auto fail = [&](const std::string& message) {
    if (print) fmt::print(stderr, "wordcount: {}\n", message);
    return parsed{std::nullopt, 2};
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {  // --help
      if (print) fmt::print("{}", app.help());
      return parsed{std::nullopt, 0};
    }
    return fail(e.what());
  }

  settings s;
  s.inputs.assign(inputs.begin(), inputs.end());
  if (app.count("--output") != 0) {
    if (output.empty()) return fail("--output: the file name is empty");
    s.output = output;
  }
  if (app.count("--top") != 0) {
    s.top = parse_positive(top_text);
    if (!s.top) return fail(fmt::format("--top: value '{}' is not a positive integer", top_text));
  }
  const auto split = parse_positive(split_text);
  if (!split) {
    return fail(fmt::format("--split-bytes: value '{}' is not a positive integer", split_text));
  }
  s.split_bytes = *split;
  try {
    s.schedule = mpimr::parse_schedule(schedule_text);
  } catch (const mpimr::invalid_argument& e) {
    return fail(fmt::format("--schedule: {}", e.what()));
  }
  return parsed{s, 0};
}

constexpr bool is_letter(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
constexpr char to_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

int run(mpimr::context& ctx, const settings& s) {
  auto mapper = [](std::string_view line, const mpimr::emitter<std::string, std::uint64_t>& emit) {
    std::string word;
    for (std::size_t i = 0; i < line.size();) {
      if (!is_letter(line[i])) {
        ++i;
        continue;
      }
      word.clear();
      for (; i < line.size() && is_letter(line[i]); ++i) word.push_back(to_lower(line[i]));
      emit(word, 1);
    }
  };
  const auto counts = mpimr::map_reduce_by_key<std::string, std::uint64_t>(
      ctx, mpimr::text_input{s.inputs, s.split_bytes}, mapper, std::plus<>{},
      {.schedule = s.schedule});

  const bool root = ctx.rank() == 0;
  if (s.output) {
    // Throws mpimr::error on every rank if rank 0 could not write the file.
    counts.write_sorted(*s.output, [](std::string& out, const std::string& word, std::uint64_t n) {
      out.append(word).append("\t").append(std::to_string(n)).append("\n");
    });
  }
  if (s.top) {
    const auto best = counts.top_k(*s.top);
    if (root) {
      for (const auto& [word, n] : best) fmt::print("{}\t{}\n", n, word);
    }
  }
  if (!s.output && !s.top) {
    const std::uint64_t total = counts.reduce_values(0);
    const std::uint64_t distinct = counts.size();
    if (root) {
      fmt::print("distinct_words {}\n", distinct);
      fmt::print("total_words    {}\n", total);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    // Every return below runs the destructors, so MPI is finalized cleanly on every path and mpirun
    // reports our exit code instead of an abort.
    mpimr::environment env{argc, argv};
    mpimr::context ctx;
    const parsed args = parse_arguments(argc, argv, ctx.rank() == 0);
    if (!args.run) return args.exit_code;
    try {
      return run(ctx, *args.run);
    } catch (const mpimr::invalid_argument& e) {  // bad inputs: thrown on every rank alike
      if (ctx.rank() == 0) fmt::print(stderr, "wordcount: {}\n", e.what());
      return 2;
    } catch (const mpimr::error& e) {  // thrown on every rank alike: one line is enough
      if (ctx.rank() == 0) fmt::print(stderr, "wordcount: {}\n", e.what());
      return 1;
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "wordcount: {}\n", e.what());
    return 1;
  }
}
