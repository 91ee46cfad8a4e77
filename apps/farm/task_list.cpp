// Reading the task file and expanding the command template (see task_list.hpp).
#include "task_list.hpp"

#include <fmt/core.h>

#include <cstdint>
#include <mpimr/mpimr.hpp>
#include <string_view>

#include "../common/printable.hpp"
#include "../common/read_file.hpp"

namespace farm {
namespace {

/// Calls `take(line, line_number)` for every line of `path` that is neither blank nor a comment.
template <class Take>
void for_each_entry(const std::string& path, Take take) {
  const std::string text = app::read_whole_file<mpimr::invalid_argument>(path);
  std::uint64_t number = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + at, end - at);
    at = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    if (line.find('\0') != std::string_view::npos) {
      throw mpimr::invalid_argument(
          fmt::format("{}:{}: a NUL byte in '{}'", path, number, app::printable(line)));
    }
    take(line, number);
  }
}

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t at = 0;
  while ((at = line.find_first_not_of(" \t", at)) != std::string_view::npos) {
    const std::size_t end = std::min(line.find_first_of(" \t", at), line.size());
    fields.push_back(line.substr(at, end - at));
    at = end;
  }
  return fields;
}

/// Walks `command_template`: `literal(text)` for plain text, `placeholder(name)` for the text
/// between braces. Throws on an unknown or unterminated placeholder.
template <class Literal, class Placeholder>
void walk_template(std::string_view command_template, Literal literal, Placeholder placeholder) {
  std::size_t at = 0;
  while (at < command_template.size()) {
    const std::size_t open = command_template.find('{', at);
    if (open == std::string_view::npos) {
      literal(command_template.substr(at));
      return;
    }
    literal(command_template.substr(at, open - at));
    if (open + 1 < command_template.size() && command_template[open + 1] == '{') {
      literal("{");
      at = open + 2;
      continue;
    }
    const std::size_t close = command_template.find('}', open);
    if (close == std::string_view::npos) {
      throw mpimr::invalid_argument(
          fmt::format("--template: unterminated placeholder '{}' (write {{{{ for a literal '{{')",
                      app::printable(command_template.substr(open))));
    }
    const std::string_view name = command_template.substr(open + 1, close - open - 1);
    const bool number = !name.empty() &&
                        name.find_first_not_of("0123456789") == std::string_view::npos &&
                        name[0] != '0' && name.size() < 10;
    if (!name.empty() && name != "#" && !number) {
      throw mpimr::invalid_argument(
          fmt::format("--template: unknown placeholder '{{{}}}' (known: {{}}, {{#}}, {{1}}, {{2}}, "
                      "...; {{{{ for a literal '{{')",
                      app::printable(name)));
    }
    placeholder(name);
    at = close + 1;
  }
}

}  // namespace

std::vector<std::string> read_task_file(const std::string& path) {
  std::vector<std::string> tasks;
  for_each_entry(path, [&](std::string_view line, std::uint64_t) { tasks.emplace_back(line); });
  if (tasks.empty()) {
    throw mpimr::invalid_argument(
        fmt::format("'{}' holds no task (only blank lines and comments)", path));
  }
  return tasks;
}

void check_template(const std::string& command_template) {
  walk_template(
      command_template, [](std::string_view) {}, [](std::string_view) {});
}

std::vector<std::string> expand_template(const std::string& command_template,
                                         const std::string& params_path) {
  check_template(command_template);
  std::vector<std::string> tasks;
  for_each_entry(params_path, [&](std::string_view line, std::uint64_t number) {
    const auto fields = fields_of(line);
    std::string command;
    walk_template(
        command_template, [&](std::string_view text) { command.append(text); },
        [&](std::string_view name) {
          if (name.empty()) {
            command.append(line);
          } else if (name == "#") {
            command.append(std::to_string(tasks.size() + 1));
          } else {
            const std::size_t field = std::stoul(std::string(name));
            if (field > fields.size()) {
              throw mpimr::invalid_argument(
                  fmt::format("{}:{}: the template uses {{{}}} but the line has {} field(s): '{}'",
                              params_path, number, field, fields.size(), app::printable(line)));
            }
            command.append(fields[field - 1]);
          }
        });
    tasks.push_back(std::move(command));
  });
  if (tasks.empty()) {
    throw mpimr::invalid_argument(
        fmt::format("'{}' holds no parameter line (only blank lines and comments)", params_path));
  }
  return tasks;
}

}  // namespace farm
