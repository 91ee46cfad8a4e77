// What identifies wordcount's input for its checkpoint key: the files it reads (folders expanded
// recursively, as mpimr::text_input does) with their sizes and modification times. A changed file
// is then another job, and its journal is refused instead of mixing counts of old and new text.
// Sizes and times, not contents: hashing the corpus would read it twice.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace wordcount {

/// One line per regular file under `inputs`, sorted: "path<TAB>size<TAB>mtime in ns". Paths that
/// cannot be read are left out: the word count itself reports them.
[[nodiscard]] std::string input_identity(const std::vector<std::filesystem::path>& inputs);

}  // namespace wordcount
