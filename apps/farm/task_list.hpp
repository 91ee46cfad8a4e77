// The farm's tasks: shell command lines read from a task file, or made from a command template and
// the lines of a parameter file. Bad input throws mpimr::invalid_argument with a one-line message
// naming the file, line and bad text.
#pragma once

#include <string>
#include <vector>

namespace farm {

/// One shell command line per non-blank line of `path`; lines whose first non-blank character is
/// '#' are comments. A trailing CR is dropped (files written on Windows). No task at all, a NUL
/// byte in a line, or a file that cannot be read is an error.
[[nodiscard]] std::vector<std::string> read_task_file(const std::string& path);

/// Checks `command_template`'s placeholders: {} (the whole parameter line), {1}, {2}, ...
/// (whitespace-separated fields), {#} (the task number, from 1) and {{ for a literal '{'. Throws
/// naming the first unknown or unterminated one.
void check_template(const std::string& command_template);

/// One command per non-blank, non-comment line of the parameter file `params_path`, made by
/// filling `command_template`'s placeholders. A field number beyond a line's fields is an error
/// naming the line.
[[nodiscard]] std::vector<std::string> expand_template(const std::string& command_template,
                                                       const std::string& params_path);

}  // namespace farm
