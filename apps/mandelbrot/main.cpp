// mandelbrot: renders the Mandelbrot set, or a Julia set, as a PNG image with mpimr::map_to over
// the image rows, which brings them to rank 0 alone (also with --checkpoint). Rows near the
// set cost thousands of times more than rows far from it, so this is the app where dynamic and
// guided scheduling pay. Escape counts are integers and colours a function of them, so the file is
// the same bytes at every rank count, schedule and chunk size.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <mpimr/mpimr.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "../common/app_support.hpp"
#include "fractal.hpp"
#include "options_check.hpp"
#include "palette.hpp"
#include "png_writer.hpp"

namespace {

/// Rank 0 holds the whole image (4 bytes a pixel) until it is written: 2^26 pixels (8192 x 8192)
/// is 256 MiB there. The other ranks hold only the rows they rendered.
constexpr std::uint64_t max_pixels = std::uint64_t{1} << 26U;

struct settings {
  mandelbrot::scene scene;
  std::filesystem::path output;
  mpimr::schedule schedule = mpimr::schedule::automatic;
  std::uint64_t chunk_rows = 1;
  app::checkpoint_request checkpoint;
};

/// Every rank parses the same argv the same way, so all of them agree on the outcome without
/// talking; only `print` (rank 0) says anything.
app::parsed<settings> parse_arguments(int argc, char** argv, bool print) {
  std::string width_text = "800";
  std::string height_text = "600";
  std::string center_re_text;
  std::string center_im_text;
  std::string view_width_text = "3.2";
  std::string iterations_text = "1000";
  std::string julia_text;
  std::string output_text;
  std::string schedule_text = "auto";
  std::string chunk_text = "1";
  CLI::App app{
      "Renders the Mandelbrot set (or, with --julia, the Julia set of a point c) as an RGB PNG\n"
      "image. Each pixel is coloured by how many iterations of z <- z^2 + c it takes |z| to\n"
      "exceed 2; points still within 2 after --max-iterations are black. The image rows are\n"
      "shared among the ranks; the file is the same bytes at any rank count, schedule and chunk\n"
      "size.\n",
      "mandelbrot"};
  app.footer(
      "Examples:\n"
      "  mpirun -np 4 mandelbrot --width 1920 --height 1080 --output set.png\n"
      "  mpirun -np 4 mandelbrot --center-x -0.743643887 --center-y 0.131825904 \\\n"
      "      --view-width 0.0002 --max-iterations 5000 --schedule guided   # a deep zoom\n"
      "  mpirun -np 4 mandelbrot --julia=-0.8,0.156 --output julia.png");
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--width", width_text, "Image width in pixels")
      ->type_name("PIXELS")
      ->capture_default_str();
  app.add_option("--height", height_text, "Image height in pixels")
      ->type_name("PIXELS")
      ->capture_default_str();
  app.add_option("--center-x", center_re_text,
                 "Real part of the point at the centre of the image (default -0.75, or 0 with "
                 "--julia)")
      ->type_name("X");
  app.add_option("--center-y", center_im_text,
                 "Imaginary part of the point at the centre of the image (default 0)")
      ->type_name("Y");
  app.add_option("--view-width", view_width_text,
                 "Width of the view in the complex plane; pixels are square, so the height of the "
                 "view is this times height/width. Smaller values zoom in")
      ->type_name("W")
      ->capture_default_str();
  app.add_option("--max-iterations", iterations_text,
                 "Iterations after which a point counts as inside the set")
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--julia", julia_text,
                 "Draw the Julia set of c = RE + IM i instead (z starts at the pixel), e.g. "
                 "--julia=-0.8,0.156")
      ->type_name("RE,IM");
  app.add_option("--output,-o", output_text,
                 "PNG file to write, whole or not at all (default mandelbrot.png, or julia.png "
                 "with --julia)")
      ->type_name("FILE");
  app.add_option(
         "--schedule", schedule_text,
         "How rows go to ranks: auto, static, dynamic, guided or adaptive (static gives each "
         "rank one block of rows, so the ranks with the rows near the set finish last)")
      ->type_name("NAME")
      ->capture_default_str();
  app.add_option("--chunk-size", chunk_text,
                 "Rows per chunk, the unit a rank takes at a time; 0 lets mpimr choose")
      ->type_name("ROWS")
      ->capture_default_str();
  settings s;
  app::add_checkpoint_options(app, s.checkpoint);

  auto fail = [&](const std::string& message) {
    if (print) fmt::print(stderr, "mandelbrot: {}\n", message);
    return app::parsed<settings>{std::nullopt, 2};
  };
  if (const auto exit_code = app::parse_command_line(app, argc, argv, print, "mandelbrot")) {
    return {std::nullopt, *exit_code};
  }

  mandelbrot::scene& scene = s.scene;
  constexpr std::uint64_t side_max = std::uint64_t{1} << 20U;
  std::uint64_t width = 0;
  std::uint64_t height = 0;
  if (auto bad = app::check_count("--width", width_text, side_max, false, width)) return fail(*bad);
  if (auto bad = app::check_count("--height", height_text, side_max, false, height)) {
    return fail(*bad);
  }
  if (width * height > max_pixels) {
    return fail(fmt::format(
        "--width/--height: {}x{} is {} pixels, more than the limit of {} (2^26): rank 0 holds the "
        "whole image",
        width, height, width * height, max_pixels));
  }
  scene.width = static_cast<std::uint32_t>(width);
  scene.height = static_cast<std::uint32_t>(height);

  std::uint64_t iterations = 0;
  if (auto bad =
          app::check_count("--max-iterations", iterations_text, 1'000'000'000, false, iterations)) {
    return fail(*bad);
  }
  scene.max_iterations = static_cast<std::uint32_t>(iterations);

  if (app.count("--julia") != 0) {
    scene.julia = true;
    if (auto bad = mandelbrot::check_point("--julia", julia_text, scene.c_re, scene.c_im)) {
      return fail(*bad);
    }
  }
  scene.center_re = scene.julia ? 0.0 : -0.75;
  if (app.count("--center-x") != 0) {
    if (auto bad = mandelbrot::check_real("--center-x", center_re_text, scene.center_re)) {
      return fail(*bad);
    }
  }
  if (app.count("--center-y") != 0) {
    if (auto bad = mandelbrot::check_real("--center-y", center_im_text, scene.center_im)) {
      return fail(*bad);
    }
  }
  double view_width = 0.0;
  if (auto bad = mandelbrot::check_real("--view-width", view_width_text, view_width)) {
    return fail(*bad);
  }
  scene.step = view_width / static_cast<double>(scene.width);
  if (!(view_width > 0.0) || !(scene.step > 0.0)) {  // also: so small that a pixel is no width
    return fail(fmt::format("--view-width: value '{}' does not give the pixels a positive width",
                            view_width_text));
  }

  if (app.count("--output") == 0) output_text = scene.julia ? "julia.png" : "mandelbrot.png";
  if (auto bad = mandelbrot::check_output("--output", output_text, s.output)) return fail(*bad);

  // mpimr reads chunk sizes above 2^63 as negative numbers gone unsigned; refuse them here already.
  constexpr auto chunk_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (auto bad = app::check_count("--chunk-size", chunk_text, chunk_max, true, s.chunk_rows)) {
    return fail(*bad);
  }
  if (auto bad = app::check_schedule(schedule_text, s.schedule)) return fail(*bad);
  if (auto bad = app::check_checkpoint_options(app, s.checkpoint)) return fail(*bad);
  return {s, 0};
}

/// What the image depends on: not the output file, the schedule or the chunk size.
app::job_key key_of(const mandelbrot::scene& scene) {
  app::job_key key("mandelbrot");
  key.add("width", std::uint64_t{scene.width})
      .add("height", std::uint64_t{scene.height})
      .add("center-x", scene.center_re)
      .add("center-y", scene.center_im)
      .add("step", scene.step)
      .add("max-iterations", std::uint64_t{scene.max_iterations});
  if (scene.julia) key.add("julia-re", scene.c_re).add("julia-im", scene.c_im);
  return key;
}

int run(mpimr::context& ctx, const settings& s) {
  const mandelbrot::scene& scene = s.scene;
  app::job_checkpoint journal(ctx, s.checkpoint, key_of(scene));
  // The checkpoint's constructor ended with a collective, so the ranks start the clock together.
  const auto start = std::chrono::steady_clock::now();
  const auto render = [&scene](std::uint64_t y) {
    std::vector<std::uint32_t> counts(scene.width);
    mandelbrot::render_row(scene, static_cast<std::uint32_t>(y), counts);
    return counts;
  };
  const mpimr::index_range all_rows{0, scene.height};
  const mpimr::options options{.schedule = s.schedule, .chunk_size = s.chunk_rows};
  const std::vector<std::vector<std::uint32_t>> rows =
      mpimr::map_to(ctx, 0, all_rows, render, options);
  const auto rendered = std::chrono::steady_clock::now();
  const std::optional<std::uint64_t> resumed = journal.resumed_chunks();

  std::uint64_t total_iterations = 0;
  if (ctx.rank() == 0) {  // only rank 0 surely has the image (the others got no rows from map_to)
    for (const auto& row : rows) {
      for (const std::uint32_t n : row) total_iterations += n;
    }
  }
  // A file that cannot be written fails every rank (exit code 1), and keeps the checkpoint.
  journal.finish([&] {
    mandelbrot::write_png(
        s.output, scene.width, scene.height, [&](std::uint32_t y, std::uint8_t* rgb) {
          for (const std::uint32_t n : rows[y]) {
            const mandelbrot::rgb c = mandelbrot::colour_of(n, scene.max_iterations);
            *rgb++ = c[0];
            *rgb++ = c[1];
            *rgb++ = c[2];
          }
        });
  });
  const auto written = std::chrono::steady_clock::now();
  if (ctx.rank() != 0) return 0;

  const std::chrono::duration<double> render_seconds = rendered - start;
  const std::chrono::duration<double> write_seconds = written - rendered;
  const std::string what =
      scene.julia ? fmt::format(" (Julia set of c = {}{:+}i)", scene.c_re, scene.c_im) : "";
  const std::string chunks = s.chunk_rows == 0 ? std::string("chunk size chosen by mpimr")
                                               : fmt::format("{} row(s) per chunk", s.chunk_rows);
  fmt::print(
      "wrote {}{}: {}x{} pixels, {} iterations (at most {} per pixel); rendered in {:.3f} s on "
      "{} rank(s) (schedule {}, {}), written in {:.3f} s\n",
      s.output.string(), what, scene.width, scene.height, total_iterations, scene.max_iterations,
      render_seconds.count(), ctx.size(), mpimr::to_string(s.schedule), chunks,
      write_seconds.count());
  if (resumed) fmt::print("resumed_chunks {}\n", *resumed);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return app::app_main("mandelbrot", argc, argv, parse_arguments, run);
}
