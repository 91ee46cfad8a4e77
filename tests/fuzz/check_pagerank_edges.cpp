// Fuzz target for pagerank's edge-list reader (apps/pagerank/edges.cpp): any bytes give edges or
// pagerank_app::input_error, nothing else, and the same edges or the same one-line error as a plain
// reader of the documented format written here (byte by byte, with its own overflow check). Edges
// also read back unchanged from the edge list the app writes (edge_list_text, --write-edges).
#include <fmt/core.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "../../apps/pagerank/edges.hpp"
#include "fuzz_check.hpp"

namespace {

using pagerank_app::edge;

constexpr std::string_view source = "graph.txt";

struct outcome {
  bool ok = false;
  std::vector<edge> edges;
  std::string error;

  friend bool operator==(const outcome& a, const outcome& b) {
    if (a.ok != b.ok || a.error != b.error || a.edges.size() != b.edges.size()) return false;
    for (std::size_t i = 0; i < a.edges.size(); ++i) {
      if (a.edges[i].src != b.edges[i].src || a.edges[i].dst != b.edges[i].dst) return false;
    }
    return true;
  }
};

outcome parse(std::string_view text) {
  try {
    return {true, pagerank_app::parse_edge_list(text, source), {}};
  } catch (const pagerank_app::input_error& e) {
    return {false, {}, e.what()};
  }
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A field as an error message quotes it: every control byte as \xNN (a NUL would end the message,
// a CR or an escape sequence garble the terminal), other bytes as they are; past 40 bytes (fewer if
// the 41st continues a UTF-8 character) it is cut, and its length follows.
std::string quoted(std::string_view field) {
  std::size_t keep = field.size();
  if (keep > 40) {
    keep = 40;
    while (keep > 0 && (static_cast<unsigned char>(field[keep]) >> 6U) == 2U) --keep;
  }
  std::string out = "'";
  for (const char c : field.substr(0, keep)) {
    const auto byte = static_cast<unsigned char>(c);
    out += byte < 0x20 || byte == 0x7f ? fmt::format("\\x{:02x}", byte) : std::string(1, c);
  }
  if (keep < field.size()) out += fmt::format("... ({} bytes)", field.size());
  return out + "'";
}
bool is_blank(char c) { return c == ' ' || c == '\t'; }

// The documented format: per line (one CR before its LF dropped) fields at runs of blanks; no field
// or a first one starting with '#' is no edge; otherwise two decimal ids of at most 2^64-1.
outcome reference(std::string_view text) {
  constexpr std::uint64_t most = std::numeric_limits<std::uint64_t>::max();
  outcome out;
  std::size_t number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    ++number;
    std::size_t end = pos;
    while (end < text.size() && text[end] != '\n') ++end;
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    std::vector<std::string_view> fields;
    std::size_t i = 0;
    while (i < line.size()) {
      if (is_blank(line[i])) {
        ++i;
        continue;
      }
      const std::size_t start = i;
      while (i < line.size() && !is_blank(line[i])) ++i;
      fields.push_back(line.substr(start, i - start));
    }
    if (fields.empty() || fields[0][0] == '#') continue;
    const std::string at = fmt::format("{}, line {}: ", source, number);
    if (fields.size() != 2) {
      return {false, {}, at + fmt::format("expected 2 fields 'src dst', found {}", fields.size())};
    }
    std::uint64_t ids[2] = {0, 0};
    for (int f = 0; f < 2; ++f) {
      const std::string_view field = fields[static_cast<std::size_t>(f)];
      bool digits = true;
      for (const char c : field) digits = digits && is_digit(c);
      if (!digits) {
        bool negative = field.size() > 1 && field[0] == '-';
        for (const char c : field.substr(1)) negative = negative && is_digit(c);
        return {false,
                {},
                at + fmt::format("vertex id {} is {}", quoted(field),
                                 negative ? "negative" : "not a non-negative integer")};
      }
      for (const char c : field) {
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (ids[f] > (most - d) / 10) {
          return {false,
                  {},
                  at + fmt::format("vertex id {} is too large (at most {})", quoted(field), most)};
        }
        ids[f] = ids[f] * 10 + d;
      }
    }
    out.edges.push_back({ids[0], ids[1]});
  }
  if (out.edges.empty()) return {false, {}, fmt::format("{}: no edges", source)};
  out.ok = true;
  return out;
}

std::string describe(const outcome& o) {
  if (!o.ok) return "error '" + o.error + "'";
  std::string text = fmt::format("{} edges", o.edges.size());
  for (std::size_t i = 0; i < o.edges.size() && i < 4; ++i) {
    text += fmt::format(" {}->{}", o.edges[i].src, o.edges[i].dst);
  }
  return text;
}

}  // namespace

void fuzz_check(std::string_view bytes) {
  const outcome got = parse(bytes);
  const outcome want = reference(bytes);
  if (!(got == want)) fuzz::fail("read " + describe(got) + ", expected " + describe(want));
  if (!got.ok) return;
  const outcome again =
      parse(pagerank_app::edge_list_text(got.edges, {"written by the fuzz check"}));
  if (!(again == got)) fuzz::fail("the written edge list reads back as " + describe(again));
}
