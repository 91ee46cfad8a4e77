// Fuzz target for kmeans' CSV point reader (apps/kmeans/points_csv.cpp): any bytes give points or
// kmeans_app::input_error, nothing else. Points keep the documented shape (finite values, one
// column per data line, a name for every dimension or none) and read back bit for bit from the CSV
// the app writes (columns_csv); an error is one line naming the input and, if it names a line, a
// non-blank line of the input. Appending a '\n' or turning every LF into CRLF changes nothing.
#include <fmt/core.h>

#include <Eigen/Core>
#include <cmath>
#include <cstring>
#include <string>
#include <string_view>

#include "../../apps/kmeans/points.hpp"
#include "fuzz_check.hpp"

namespace {

constexpr std::string_view source = "points.csv";

struct outcome {
  bool ok = false;
  kmeans_app::point_set points;
  std::string error;
};

outcome parse(std::string_view text) {
  try {
    return {true, kmeans_app::parse_points_csv(text, source), {}};
  } catch (const kmeans_app::input_error& e) {
    return {false, {}, e.what()};
  }
}

bool same_bits(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         (a.size() == 0 || std::memcmp(a.data(), b.data(),
                                       static_cast<std::size_t>(a.size()) * sizeof(double)) == 0);
}

bool same(const outcome& a, const outcome& b) {
  return a.ok == b.ok && a.error == b.error && a.points.names == b.points.names &&
         same_bits(a.points.coords, b.points.coords);
}

std::string describe(const outcome& o) {
  if (!o.ok) return "error '" + o.error + "'";
  return fmt::format("{} points of {} dimensions, {} names", o.points.coords.cols(),
                     o.points.coords.rows(), o.points.names.size());
}

// The input's lines as the reader numbers them (1-based): cut at '\n', a last line without one.
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t nl = text.find('\n', pos);
    const std::size_t end = nl == std::string_view::npos ? text.size() : nl;
    lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return lines;
}

// Blank as documented: nothing but blanks and CRs.
bool blank(std::string_view line) { return line.find_first_not_of(" \t\r") == line.npos; }

std::string with_crlf(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

void check_error(const std::string& message, const std::vector<std::string_view>& lines) {
  // One printable line: a control byte from the input (a NUL ends what() early, a CR or an escape
  // sequence garbles the terminal) must come quoted.
  for (const char c : message) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      fuzz::fail("error with a control byte: " + message);
    }
  }
  if (!message.starts_with(source)) fuzz::fail("error not naming the input: " + message);
  // Whole: each message ends as documented, not cut short at a byte of the input.
  if (!message.ends_with("' is not a finite number") && !message.ends_with(": no data rows") &&
      message.find(" fields, but line ") == std::string::npos) {
    fuzz::fail("error cut short: " + message);
  }
  const std::string_view rest = std::string_view(message).substr(source.size());
  constexpr std::string_view line_tag = ", line ";
  if (!rest.starts_with(line_tag)) {
    std::size_t non_blank = 0;
    for (const auto line : lines) non_blank += blank(line) ? 0 : 1;
    // Without a line number only "no data rows" is expected: nothing, or one (header) line.
    if (rest != ": no data rows" || non_blank > 1) {
      fuzz::fail(fmt::format("error '{}' for {} non-blank lines", message, non_blank));
    }
    return;
  }
  std::size_t number = 0;
  for (std::size_t i = line_tag.size(); i < rest.size() && rest[i] >= '0' && rest[i] <= '9'; ++i) {
    number = number * 10 + static_cast<std::size_t>(rest[i] - '0');
  }
  if (number == 0 || number > lines.size() || blank(lines[number - 1])) {
    fuzz::fail(fmt::format("error '{}' names no non-blank line of the {}", message, lines.size()));
  }
}

void check_points(const kmeans_app::point_set& points, const std::vector<std::string_view>& lines) {
  const auto& coords = points.coords;
  if (coords.rows() < 1 || coords.cols() < 1) fuzz::fail("points returned without any value");
  if (!coords.allFinite()) fuzz::fail("a value that is not finite was returned");
  if (!points.names.empty() && points.names.size() != static_cast<std::size_t>(coords.rows())) {
    fuzz::fail(fmt::format("{} names for {} dimensions", points.names.size(), coords.rows()));
  }
  std::size_t non_blank = 0;
  for (const auto line : lines) non_blank += blank(line) ? 0 : 1;
  const std::size_t header = points.names.empty() ? 0 : 1;
  if (static_cast<std::size_t>(coords.cols()) + header != non_blank) {
    fuzz::fail(fmt::format("{} points and {} header lines from {} non-blank lines", coords.cols(),
                           header, non_blank));
  }

  // What the app writes (--output, --write-points) reads back as the same bits.
  const outcome again = parse(kmeans_app::columns_csv(coords, points.names));
  outcome want{true, points, {}};
  if (points.names.empty()) {
    for (Eigen::Index t = 0; t < coords.rows(); ++t)
      want.points.names.push_back(fmt::format("x{}", t + 1));
  }
  if (!same(again, want)) {
    fuzz::fail("columns_csv of the points reads back as " + describe(again) + ", not " +
               describe(want));
  }
}

}  // namespace

void fuzz_check(std::string_view bytes) {
  const outcome got = parse(bytes);
  const auto lines = lines_of(bytes);
  if (got.ok) {
    check_points(got.points, lines);
  } else {
    check_error(got.error, lines);
  }
  const outcome newline = parse(std::string(bytes) + '\n');
  if (!same(got, newline)) {
    fuzz::fail("an extra '\\n' turns " + describe(got) + " into " + describe(newline));
  }
  const outcome crlf = parse(with_crlf(bytes));
  if (!same(got, crlf)) fuzz::fail("CRLF turns " + describe(got) + " into " + describe(crlf));
}
