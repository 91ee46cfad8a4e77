// integrate: the integral of a function chosen by name over [a, b] by adaptive Gauss-Kronrod
// quadrature. [a, b] is cut into chunks, each integrated adaptively to its share of the tolerance
// on whichever rank takes it; the (value, error) partials are joined in deterministic mode, so the
// printed value is the same bits at any rank count and schedule.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <mpimr/mpimr.hpp>
#include <optional>
#include <string>
#include <tuple>

#include "../common/app_support.hpp"
#include "../common/parse_real.hpp"
#include "functions.hpp"
#include "quadrature.hpp"

namespace {

using integrate_app::function_kind;

// Exit code when the estimated error exceeds the tolerance (0: converged, 2: bad arguments, 1: any
// other failure).
constexpr int exit_not_converged = 3;
constexpr std::uint64_t max_chunks = 1'000'000;
constexpr std::uint64_t max_bisections_limit = 10'000'000;

struct settings {
  function_kind function = function_kind::exp_cos;
  std::string function_name;
  integrate_app::parameters parameters;
  double from = 0;
  double to = 1;
  double tolerance = 0;
  std::uint64_t chunks = 0;
  std::uint64_t max_bisections = 0;
  mpimr::schedule schedule = mpimr::schedule::automatic;
  app::checkpoint_request checkpoint;

  /// Left end of chunk i; chunk i is [bound(i), bound(i + 1)] and the last one ends exactly at b.
  [[nodiscard]] double bound(std::uint64_t i) const noexcept {
    if (i >= chunks) return to;
    return from + (to - from) * (static_cast<double>(i) / static_cast<double>(chunks));
  }
};

/// Every rank parses the same argv the same way, so all of them agree on the outcome without
/// talking; only `print` (rank 0) says anything.
app::parsed<settings> parse_arguments(int argc, char** argv, bool print) {
  std::string function_text = "exp-cos";
  std::string from_text = "0";
  std::string to_text = "1";
  std::string tolerance_text = "1e-10";
  std::string chunks_text = "64";
  std::string bisections_text = "1000";
  std::string schedule_text = "auto";
  std::string center_text = "0.3";
  std::string width_text = "1e-3";
  std::string frequency_text = "1000";
  CLI::App app{
      "Integrates a function chosen by name over [A, B] by adaptive Gauss-Kronrod (G7K15) "
      "quadrature: [A, B] is cut into chunks of equal width, each bisected adaptively until its "
      "error estimate meets its share of the tolerance (the share is proportional to its width). "
      "Prints the value, the estimated error and the true error (against the closed form). Exit "
      "code 0 when the estimated error meets the tolerance, 3 when it does not (chunks stopped "
      "short at the subdivision limit or at pieces too narrow to split), 2 for bad arguments.",
      "integrate"};
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--function,-f", function_text,
                 "The integrand: " + integrate_app::function_names())
      ->type_name("NAME")
      ->capture_default_str();
  app.add_option("--from,-a", from_text, "Lower bound A")->type_name("A")->capture_default_str();
  app.add_option("--to,-b", to_text, "Upper bound B (greater than A)")
      ->type_name("B")
      ->capture_default_str();
  app.add_option("--tolerance,-t", tolerance_text, "Absolute error tolerance of the whole integral")
      ->type_name("TOL")
      ->capture_default_str();
  app.add_option("--chunks,-n", chunks_text,
                 "Number of subintervals of equal width, the units of work (at most 1e6)")
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--max-subdivisions", bisections_text,
                 "Bisections allowed per chunk (at most 1e7)")
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--schedule", schedule_text,
                 "How chunks go to ranks: auto, static, dynamic, guided or adaptive")
      ->type_name("NAME")
      ->capture_default_str();
  app.add_option("--peak-center", center_text, "Position c of the peak (gaussian, lorentzian)")
      ->type_name("C")
      ->capture_default_str();
  app.add_option("--peak-width", width_text, "Width w > 0 of the peak (gaussian, lorentzian)")
      ->type_name("W")
      ->capture_default_str();
  app.add_option("--frequency", frequency_text, "Angular frequency k > 0 of the cosine")
      ->type_name("K")
      ->capture_default_str();
  std::string functions = "Functions:\n";
  for (const auto& f : integrate_app::catalog) {
    functions += fmt::format("  {:<12}{}\n", f.name, f.formula);
  }
  app.footer(functions);
  settings s;
  app::add_checkpoint_options(app, s.checkpoint);

  auto fail = [&](const std::string& message) {
    if (print) fmt::print(stderr, "integrate: {}\n", message);
    return app::parsed<settings>{std::nullopt, 2};
  };
  if (const auto exit_code = app::parse_command_line(app, argc, argv, print, "integrate")) {
    return {std::nullopt, *exit_code};
  }

  const auto kind = integrate_app::find_function(function_text);
  if (!kind) {
    return fail(fmt::format("--function: unknown function '{}' (valid: {})", function_text,
                            integrate_app::function_names()));
  }
  s.function = *kind;
  s.function_name = function_text;
  if (auto bad = app::check_real("--from", from_text, s.from)) return fail(*bad);
  if (auto bad = app::check_real("--to", to_text, s.to)) return fail(*bad);
  if (!(s.from < s.to)) {
    return fail(fmt::format("--from {} must be less than --to {}", from_text, to_text));
  }
  if (!std::isfinite(s.to - s.from)) {
    return fail(
        fmt::format("the width of [{}, {}] overflows double precision", from_text, to_text));
  }
  if (auto bad = app::check_real("--tolerance", tolerance_text, s.tolerance)) return fail(*bad);
  if (!(s.tolerance > 0)) {
    return fail(fmt::format("--tolerance: value '{}' must be positive", tolerance_text));
  }
  if (auto bad = app::check_count("--chunks", chunks_text, max_chunks, false, s.chunks)) {
    return fail(*bad);
  }
  if (auto bad = app::check_count("--max-subdivisions", bisections_text, max_bisections_limit,
                                  false, s.max_bisections)) {
    return fail(*bad);
  }
  if (auto bad = app::check_schedule(schedule_text, s.schedule)) return fail(*bad);
  auto& p = s.parameters;
  if (auto bad = app::check_real("--peak-center", center_text, p.center)) return fail(*bad);
  if (auto bad = app::check_real("--peak-width", width_text, p.width)) return fail(*bad);
  if (!(p.width > 0))
    return fail(fmt::format("--peak-width: value '{}' must be positive", width_text));
  if (auto bad = app::check_real("--frequency", frequency_text, p.frequency)) return fail(*bad);
  if (!(p.frequency > 0)) {
    return fail(fmt::format("--frequency: value '{}' must be positive", frequency_text));
  }
  // Chunks whose bounds coincide would have no width: [A, B] is too narrow for that many.
  for (std::uint64_t i = 0; i < s.chunks; ++i) {
    if (!(s.bound(i) < s.bound(i + 1))) {
      return fail(
          fmt::format("--chunks: {} chunks are too many for [{}, {}] (neighbouring bounds "
                      "coincide in double precision)",
                      s.chunks, from_text, to_text));
    }
  }
  if (!std::isfinite(integrate_app::exact_integral(s.function, p, s.from, s.to))) {
    return fail(fmt::format("the integral of {} over [{}, {}] overflows double precision",
                            function_text, from_text, to_text));
  }
  if (auto bad = app::check_checkpoint_options(app, s.checkpoint)) return fail(*bad);
  return {s, 0};
}

// value, error estimate, bisections, chunks that stopped short of their share of the tolerance.
using partial = std::tuple<double, double, std::uint64_t, std::uint64_t>;

partial integrate_chunks(mpimr::context& ctx, const settings& s) {
  // The shares add up to the tolerance up to rounding; the margin keeps their rounded sum below it.
  const double tolerance_per_width = s.tolerance / (s.to - s.from) * (1 - 1e-9);
  return integrate_app::with_integrand(s.function, s.parameters, [&](const auto& f) {
    auto body = [&](const mpimr::chunk& c) {
      partial p{0.0, 0.0, 0, 0};
      for (const auto i : c.indices()) {
        const double lo = s.bound(i);
        const double hi = s.bound(i + 1);
        const auto r = integrate_app::integrate_adaptive(f, lo, hi, tolerance_per_width * (hi - lo),
                                                         s.max_bisections);
        std::get<0>(p) += r.value;
        std::get<1>(p) += r.error;
        std::get<2>(p) += r.bisections;
        std::get<3>(p) += r.converged ? 0 : 1;
      }
      return p;
    };
    // One subinterval per mpimr chunk: their costs differ by orders of magnitude (a peak, a
    // stretch of fast oscillation), which the dynamic schedule evens out.
    return mpimr::reduce(ctx, mpimr::index_range{0, s.chunks}, partial{0.0, 0.0, 0, 0}, body,
                         mpimr::memberwise{},
                         {.schedule = s.schedule, .chunk_size = 1, .deterministic = true});
  });
}

/// Everything that changes the result; all peak and frequency parameters, also those the function
/// does not use, to keep it simple.
app::job_key key_of(const settings& s) {
  app::job_key key("integrate");
  key.add("function", s.function_name)
      .add("from", s.from)
      .add("to", s.to)
      .add("tolerance", s.tolerance)
      .add("chunks", s.chunks)
      .add("max-subdivisions", s.max_bisections)
      .add("peak-center", s.parameters.center)
      .add("peak-width", s.parameters.width)
      .add("frequency", s.parameters.frequency);
  return key;
}

int run(mpimr::context& ctx, const settings& s) {
  app::job_checkpoint journal(ctx, s.checkpoint, key_of(s));
  const auto start = std::chrono::steady_clock::now();
  const auto [value, error, bisections, unconverged] = integrate_chunks(ctx, s);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  const std::optional<std::uint64_t> resumed = journal.resumed_chunks();
  // Not converging is a result too: the journal has served its purpose.
  journal.finish();
  // The tolerance is the contract: a chunk that could not reach its own share (its pieces' error
  // estimates stuck at the round-off floor of a tall peak, say) is reported, but the run has
  // converged when the summed estimate meets the tolerance.
  const bool converged = std::isfinite(value) && error <= s.tolerance;
  if (ctx.rank() != 0) return converged ? 0 : exit_not_converged;

  const double exact = integrate_app::exact_integral(s.function, s.parameters, s.from, s.to);
  fmt::print("function        {}\n", s.function_name);
  fmt::print("from            {:.17g}\n", s.from);
  fmt::print("to              {:.17g}\n", s.to);
  fmt::print("value           {:.17g}\n", value);
  fmt::print("exact           {:.17g}\n", exact);
  fmt::print("true_error      {:.3e}\n", std::abs(value - exact));
  fmt::print("error_estimate  {:.3e}\n", error);
  fmt::print("tolerance       {:.3e}\n", s.tolerance);
  fmt::print("converged       {}\n", converged ? "yes" : "no");
  fmt::print("chunks          {}\n", s.chunks);
  fmt::print("short_chunks    {}\n", unconverged);
  fmt::print("bisections      {}\n", bisections);
  // 15 evaluations for each chunk's first rule, 30 per bisection.
  fmt::print("evaluations     {}\n", 15 * s.chunks + 30 * bisections);
  fmt::print("schedule        {}\n", mpimr::to_string(s.schedule));
  fmt::print("ranks           {}\n", ctx.size());
  fmt::print("wall_seconds    {:.6f}\n", elapsed.count());
  if (resumed) fmt::print("resumed_chunks  {}\n", *resumed);
  std::fflush(stdout);
  if (!converged) {
    if (!std::isfinite(value)) {
      fmt::print(stderr, "integrate: not converged: the integrand is not finite on [{}, {}]\n",
                 s.from, s.to);
    } else {
      fmt::print(stderr,
                 "integrate: not converged: estimated error {:.3e} exceeds the tolerance {:.3e}; "
                 "{} of {} chunks stopped short of their share (subdivision limit {} per chunk "
                 "reached, or pieces too narrow to split)\n",
                 error, s.tolerance, unconverged, s.chunks, s.max_bisections);
    }
  }
  return converged ? 0 : exit_not_converged;
}

}  // namespace

int main(int argc, char** argv) {
  return app::app_main("integrate", argc, argv, parse_arguments, run);
}
