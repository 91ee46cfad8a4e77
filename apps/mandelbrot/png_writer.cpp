// libpng behind write_png (see png_writer.hpp). libpng reports errors by longjmp, so no C++ object
// with a destructor may live in a frame that a longjmp crosses: those stay in write_png, and the
// setjmp sits in encode(), whose locals are all trivial.
#include "png_writer.hpp"

#include <png.h>

#include <csetjmp>
#include <cstddef>
#include <exception>
#include <mpimr/atomic_file.hpp>
#include <mpimr/errors.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace mandelbrot {
namespace {

/// Where libpng's bytes go, and the first failure seen while writing them.
struct sink {
  mpimr::atomic_file* file = nullptr;
  std::string failure;
  bool file_failed = false;  // the failure is atomic_file's, not libpng's
};

void remember(sink& s, const char* message) noexcept {
  try {
    if (s.failure.empty()) s.failure = message;
  } catch (...) {  // out of memory: the generic message below will do
  }
}

void write_bytes(png_structp png, png_bytep data, std::size_t length) {
  auto* s = static_cast<sink*>(png_get_io_ptr(png));
  bool failed = false;
  try {
    s->file->write(std::string_view(reinterpret_cast<const char*>(data), length));
  } catch (const std::exception& e) {
    remember(*s, e.what());
    s->file_failed = true;
    failed = true;
  }
  // Outside the catch block: the exception object is gone before libpng longjmps away.
  if (failed) png_error(png, "write failed");
}

void flush_nothing(png_structp /*png*/) {}  // atomic_file flushes on commit

[[noreturn]] void on_error(png_structp png, png_const_charp message) {
  remember(*static_cast<sink*>(png_get_error_ptr(png)), message);
  png_longjmp(png, 1);
}

void on_warning(png_structp /*png*/, png_const_charp /*message*/) {
}  // never printed: one-line rule

/// Owns libpng's write and info structs; errors go to `s`.
class png_handles {
 public:
  explicit png_handles(sink& s)
      : png_(png_create_write_struct(PNG_LIBPNG_VER_STRING, &s, on_error, on_warning)),
        info_(png_ != nullptr ? png_create_info_struct(png_) : nullptr) {}
  ~png_handles() { png_destroy_write_struct(&png_, &info_); }  // accepts null structs
  png_handles(const png_handles&) = delete;
  png_handles& operator=(const png_handles&) = delete;

  [[nodiscard]] bool ok() const noexcept { return png_ != nullptr && info_ != nullptr; }
  [[nodiscard]] png_structp png() const noexcept { return png_; }
  [[nodiscard]] png_infop info() const noexcept { return info_; }

 private:
  png_structp png_;
  png_infop info_;
};

/// Returns false if libpng failed (the reason is in the sink).
bool encode(png_structp png, png_infop info, std::uint32_t width, std::uint32_t height,
            const row_filler& fill, std::uint8_t* row) {
  if (setjmp(png_jmpbuf(png)) != 0) return false;
  png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (std::uint32_t y = 0; y < height; ++y) {
    fill(y, row);
    png_write_row(png, row);
  }
  png_write_end(png, nullptr);
  return true;
}

}  // namespace

void write_png(const std::filesystem::path& path, std::uint32_t width, std::uint32_t height,
               const row_filler& fill) {
  mpimr::atomic_file file(path);  // throws mpimr::error naming the file; removed unless committed
  sink s{&file, {}, false};
  const png_handles handles(s);
  if (!handles.ok()) throw mpimr::error("cannot write '" + path.string() + "': libpng failed");
  png_set_write_fn(handles.png(), &s, write_bytes, flush_nothing);
  std::vector<std::uint8_t> row(std::size_t{3} * width);
  if (!encode(handles.png(), handles.info(), width, height, fill, row.data())) {
    if (s.file_failed) throw mpimr::error(s.failure);  // atomic_file's message names the file
    throw mpimr::error("cannot write '" + path.string() + "': libpng: " + s.failure);
  }
  file.commit();
}

}  // namespace mandelbrot
