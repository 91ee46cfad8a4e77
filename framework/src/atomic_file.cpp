// Whole-or-nothing output files (see atomic_file.hpp).
#include "mpimr/atomic_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "mpimr/errors.hpp"

namespace mpimr {
namespace {

[[noreturn]] void fail(const char* what, const std::filesystem::path& path, int code) {
  throw error(std::string("cannot ") + what + " '" + path.string() + "': " + std::strerror(code));
}

}  // namespace

atomic_file::atomic_file(std::filesystem::path path)
    : path_(std::move(path)), temporary_(path_.string() + ".tmp." + std::to_string(::getpid())) {
  file_ = std::fopen(temporary_.c_str(), "wb");
  if (file_ == nullptr) fail("create", path_, errno);  // name what the user asked for
}

atomic_file::~atomic_file() {
  if (file_ == nullptr) return;
  std::fclose(file_);
  std::error_code ignored;
  std::filesystem::remove(temporary_, ignored);
}

void atomic_file::write(std::string_view bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size())
    fail("write", temporary_, errno);
}

void atomic_file::commit() {
  std::FILE* file = file_;
  file_ = nullptr;  // from here on the destructor has nothing to close
  const bool flushed = std::fflush(file) == 0;
  const int flush_error = errno;
  const bool closed = std::fclose(file) == 0;
  std::error_code ignored;
  if (!flushed || !closed) {
    const int code = !flushed ? flush_error : errno;
    std::filesystem::remove(temporary_, ignored);
    fail("write", temporary_, code);
  }
  if (std::rename(temporary_.c_str(), path_.c_str()) != 0) {
    const int code = errno;
    std::filesystem::remove(temporary_, ignored);
    fail("rename into", path_, code);
  }
}

}  // namespace mpimr
