// wordcount-corpus: writes a deterministic text corpus whose words follow Zipf's law (see
// zipf_corpus.hpp), the input of wordcount's tests and benchmarks. The same options give the same
// bytes on every machine and at any rank count.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <mpimr/atomic_file.hpp>
#include <mpimr/mpimr.hpp>
#include <optional>
#include <string>
#include <system_error>

#include "../common/app_support.hpp"
#include "zipf_corpus.hpp"

namespace {

struct settings {
  wordcount::corpus_options corpus;
  std::string output;
};

/// Not a count: --exponent takes any finite number > 0, such as 0.8 or 1.2e0.
std::optional<std::string> check_exponent(const std::string& text, double& out) {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, status] = std::from_chars(text.data(), end, value);
  if (status != std::errc{} || stop != end || !std::isfinite(value) || !(value > 0)) {
    return fmt::format("--exponent: value '{}' is not a finite number > 0", text);
  }
  out = value;
  return std::nullopt;
}

/// Every rank parses the same argv the same way, so all of them agree on the outcome without
/// talking; only `print` (rank 0) says anything.
app::parsed<settings> parse_arguments(int argc, char** argv, bool print) {
  std::string bytes_text = "1e8";
  std::string vocabulary_text = "200000";
  std::string seed_text = "20240917";
  std::string exponent_text = "1.0";
  std::string output;
  CLI::App app{
      "Writes a text corpus of exactly --bytes bytes whose words follow Zipf's law: the i-th most "
      "frequent of --vocabulary distinct words has a probability proportional to 1/i^s. The same "
      "options give the same bytes on every machine.",
      "wordcount-corpus"};
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--bytes", bytes_text, "Size of the corpus in bytes, e.g. 100000000 or 1e8")
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--vocabulary", vocabulary_text,
                 fmt::format("Number of distinct words (at most {})",
                             wordcount::zipf_corpus::max_vocabulary))
      ->type_name("V")
      ->capture_default_str();
  app.add_option("--seed", seed_text, "Random seed")->type_name("S")->capture_default_str();
  app.add_option("--exponent", exponent_text, "Zipf exponent s, a finite number > 0")
      ->type_name("EXP")
      ->capture_default_str();
  app.add_option("--output,-o", output, "File to write (whole or not at all)")
      ->type_name("FILE")
      ->required();

  auto fail = [&](const std::string& message) {
    if (print) fmt::print(stderr, "wordcount-corpus: {}\n", message);
    return app::parsed<settings>{std::nullopt, 2};
  };
  if (const auto exit_code = app::parse_command_line(app, argc, argv, print, "wordcount-corpus")) {
    return {std::nullopt, *exit_code};
  }

  settings s;
  constexpr std::uint64_t no_limit = std::numeric_limits<std::uint64_t>::max();
  auto& c = s.corpus;
  if (auto bad = app::check_count("--bytes", bytes_text, no_limit, true, c.bytes)) {
    return fail(*bad);
  }
  if (auto bad = app::check_count("--vocabulary", vocabulary_text,
                                  wordcount::zipf_corpus::max_vocabulary, false, c.vocabulary)) {
    return fail(*bad);
  }
  if (auto bad = app::check_count("--seed", seed_text, no_limit, true, c.seed)) return fail(*bad);
  if (auto bad = check_exponent(exponent_text, c.exponent)) return fail(*bad);
  if (output.empty()) return fail("--output: the file name is empty");
  s.output = output;
  return {s, 0};
}

void write_corpus(const settings& s) {
  const wordcount::zipf_corpus corpus(s.corpus);
  mpimr::atomic_file file(s.output);
  std::string block;
  for (std::uint64_t id = 0; id < corpus.block_count(); ++id) {
    block.clear();
    corpus.append_block(id, block);
    file.write(block);
  }
  file.commit();
}

int run(mpimr::context& ctx, const settings& s) {
  // One rank writes the whole file (rank 0: the static schedule gives it the only chunk); the
  // bytes do not depend on which rank that is. A failure reaches every rank through mpimr.
  try {
    mpimr::for_each(ctx, mpimr::index_range{0, 1}, [&](const mpimr::chunk&) { write_corpus(s); },
                    {.schedule = mpimr::schedule::static_blocks, .chunk_size = 1});
  } catch (const mpimr::task_error& e) {
    throw mpimr::error(e.original_message());  // the file's trouble, not which chunk it was
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return app::app_main("wordcount-corpus", argc, argv, parse_arguments, run);
}
