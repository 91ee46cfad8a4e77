// wordcount: counts words in text files and folders with mpimr::map_reduce_by_key. A word is a
// maximal run of ASCII letters, lowercased; every other byte (digits, UTF-8, NUL, ...) separates
// words. The counts are exact integers, so any rank count, schedule and split size gives the same
// output.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <limits>
#include <mpimr/mpimr.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../common/app_support.hpp"
#include "../common/checkpoint_option.hpp"
#include "../common/output_path.hpp"
#include "input_identity.hpp"
#include "words.hpp"

namespace {

struct settings {
  std::vector<std::filesystem::path> inputs;
  std::optional<std::string> output;
  std::optional<std::uint64_t> top;
  std::uint64_t split_bytes = std::uint64_t{8} << 20U;
  std::uint64_t shuffle_bytes = 0;  // 0: mpimr's default
  mpimr::schedule schedule = mpimr::schedule::automatic;
  app::checkpoint_request checkpoint;
};

/// Every rank parses the same argv the same way, so all of them agree on the outcome without
/// talking; only `print` (rank 0) says anything.
app::parsed<settings> parse_arguments(int argc, char** argv, bool print) {
  std::vector<std::string> inputs;
  std::string output;
  std::string top_text;
  std::string split_text = "8388608";
  std::string shuffle_text = "0";
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
  app.add_option("--shuffle-bytes", shuffle_text,
                 "Memory budget per rank for the word table and the exchange buffers, in bytes "
                 "(0: mpimr's default, 64 MiB)")
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--schedule", schedule_text,
                 "How splits go to ranks: auto, static, dynamic, guided or adaptive")
      ->type_name("NAME")
      ->capture_default_str();
  settings s;
  app::add_checkpoint_options(app, s.checkpoint);

  auto fail = [&](const std::string& message) {
    if (print) fmt::print(stderr, "wordcount: {}\n", message);
    return app::parsed<settings>{std::nullopt, 2};
  };
  if (const auto exit_code = app::parse_command_line(app, argc, argv, print, "wordcount")) {
    return {std::nullopt, *exit_code};
  }

  s.inputs.assign(inputs.begin(), inputs.end());
  if (app.count("--output") != 0) {
    if (auto bad = app::check_output_path("--output", output)) return fail(*bad);
    s.output = output;
  }
  constexpr std::uint64_t no_limit = std::numeric_limits<std::uint64_t>::max();
  if (app.count("--top") != 0) {
    std::uint64_t k = 0;
    if (auto bad = app::check_count("--top", top_text, no_limit, false, k)) return fail(*bad);
    s.top = k;
  }
  if (auto bad = app::check_count("--split-bytes", split_text, no_limit, false, s.split_bytes)) {
    return fail(*bad);
  }
  if (auto bad =
          app::check_count("--shuffle-bytes", shuffle_text, no_limit, true, s.shuffle_bytes)) {
    return fail(*bad);
  }
  if (auto bad = app::check_schedule(schedule_text, s.schedule)) return fail(*bad);
  if (auto bad = app::check_checkpoint_options(app, s.checkpoint)) return fail(*bad);
  return {s, 0};
}

int run(mpimr::context& ctx, const settings& s) {
  // Each word is emitted as a view of the lowercased copy of its line: a key string is only built
  // for a word the rank has not seen before.
  auto mapper = [scratch = std::string()](
                    std::string_view line,
                    const mpimr::emitter<std::string, std::uint64_t>& emit) mutable {
    wordcount::for_each_word(line, scratch, [&](std::string_view word) { emit(word, 1); });
  };
  // The splits are the chunks: their size changes what a chunk is; schedule and shuffle budget do
  // not change the counts. A changed input file is another job (input_identity.hpp).
  // Listing the inputs stats every file on every rank: only when there is a checkpoint to key.
  const bool checkpointed = !s.checkpoint.folder.empty();
  const std::string inputs = checkpointed ? wordcount::input_identity(s.inputs) : std::string();
  app::job_checkpoint journal(
      ctx, s.checkpoint,
      app::job_key("wordcount")
          .add("split-bytes", s.split_bytes)
          .add_data("inputs", std::as_bytes(std::span(inputs.data(), inputs.size()))));
  const auto counts = mpimr::map_reduce_by_key<std::string, std::uint64_t>(
      ctx, mpimr::text_input{s.inputs, s.split_bytes}, mapper, std::plus<>{},
      {.schedule = s.schedule, .shuffle_buffer_bytes = s.shuffle_bytes});

  const bool root = ctx.rank() == 0;
  if (s.output) {
    // Throws mpimr::error on every rank if rank 0 could not write the file; the journal then stays,
    // and a rerun only writes.
    counts.write_sorted(*s.output, [](std::string& out, const std::string& word, std::uint64_t n) {
      out.append(word).append("\t").append(std::to_string(n)).append("\n");
    });
  }
  const std::optional<std::uint64_t> resumed = journal.resumed_chunks();
  journal.finish();
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
  // Last, after the counts or the top words: how much of the job the checkpoint saved.
  if (root && resumed) fmt::print("resumed_chunks {}\n", *resumed);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return app::app_main("wordcount", argc, argv, parse_arguments, run);
}
