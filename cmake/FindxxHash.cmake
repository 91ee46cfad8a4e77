# Find module for xxHash (fast non-cryptographic hashing of keys). Debian's libxxhash-dev ships a
# pkg-config file but no CMake config, so we find header + library and wrap them in xxHash::xxHash.
# Installed next to mpimrConfig.cmake so that consumers of the package find it the same way.
find_path(xxHash_INCLUDE_DIR NAMES xxhash.h DOC "Directory containing xxhash.h")
find_library(xxHash_LIBRARY NAMES xxhash DOC "The xxHash library")
mark_as_advanced(xxHash_INCLUDE_DIR xxHash_LIBRARY)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(xxHash
  REQUIRED_VARS xxHash_LIBRARY xxHash_INCLUDE_DIR
  REASON_FAILURE_MESSAGE "xxhash.h/libxxhash not found. Install it (Debian: apt-get install libxxhash-dev).")

if(xxHash_FOUND AND NOT TARGET xxHash::xxHash)
  add_library(xxHash::xxHash UNKNOWN IMPORTED)
  set_target_properties(xxHash::xxHash PROPERTIES
    IMPORTED_LOCATION "${xxHash_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${xxHash_INCLUDE_DIR}")
endif()
