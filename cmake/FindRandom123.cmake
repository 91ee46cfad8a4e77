# Find module for Random123 (counter-based RNGs such as Philox). It is header-only and ships no CMake
# config, so we look for its header and wrap it in the imported target Random123::Random123.
# Installed next to mpimrConfig.cmake so that consumers of the package find it the same way.
find_path(Random123_INCLUDE_DIR NAMES Random123/philox.h DOC "Directory containing Random123/philox.h")
mark_as_advanced(Random123_INCLUDE_DIR)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Random123
  REQUIRED_VARS Random123_INCLUDE_DIR
  REASON_FAILURE_MESSAGE
    "Random123/philox.h not found. Install it (Debian: apt-get install librandom123-dev) or pass -DRandom123_INCLUDE_DIR=<dir containing Random123/>.")

if(Random123_FOUND AND NOT TARGET Random123::Random123)
  add_library(Random123::Random123 INTERFACE IMPORTED)
  set_target_properties(Random123::Random123 PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${Random123_INCLUDE_DIR}")
endif()
