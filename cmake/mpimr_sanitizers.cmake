# MPIMR_SANITIZE=ON builds every target of this tree (library, apps, tests, benchmarks) with
# AddressSanitizer and UndefinedBehaviorSanitizer; the `asan` preset turns it on. Include before the
# first add_subdirectory: the flags are directory-scoped, so they reach every target defined after.
option(MPIMR_SANITIZE "Build everything with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)

# Sanitized programs run slower (2-6 times here, more when many start at once), so the asan preset
# gives every test more time: the tests keep one TIMEOUT each, written for the normal build.
set(MPIMR_TEST_TIMEOUT_SCALE 1 CACHE STRING "Multiplies every test's TIMEOUT (asan preset: 3)")
if(NOT MPIMR_TEST_TIMEOUT_SCALE MATCHES "^[1-9][0-9]*$")
  message(FATAL_ERROR "mpimr: MPIMR_TEST_TIMEOUT_SCALE must be a positive integer, "
                      "not '${MPIMR_TEST_TIMEOUT_SCALE}'")
endif()

# mpimr_scale_test_timeouts(): multiplies the TIMEOUT of every test of the calling directory by
# MPIMR_TEST_TIMEOUT_SCALE. Call it last in each folder that adds tests (CMake 3.25 cannot set
# the properties of another folder's tests).
function(mpimr_scale_test_timeouts)
  if(MPIMR_TEST_TIMEOUT_SCALE EQUAL 1)
    return()
  endif()
  get_property(tests DIRECTORY PROPERTY TESTS)
  foreach(test IN LISTS tests)
    get_test_property(${test} TIMEOUT timeout)
    if(timeout)
      math(EXPR timeout "${timeout} * ${MPIMR_TEST_TIMEOUT_SCALE}")
      set_tests_properties(${test} PROPERTIES TIMEOUT ${timeout})
    endif()
  endforeach()
endfunction()

# Links tests/sanitizers/keep_libraries_loaded.cpp (see why there) into every executable under
# `dir`. Executables only: in the library it would reach whoever links the installed package.
function(_mpimr_keep_libraries_loaded_in dir)
  get_property(targets DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "EXECUTABLE")
      target_link_libraries(${target} PRIVATE mpimr_keep_libraries_loaded)
    endif()
  endforeach()
  get_property(subdirectories DIRECTORY "${dir}" PROPERTY SUBDIRECTORIES)
  foreach(subdirectory IN LISTS subdirectories)
    _mpimr_keep_libraries_loaded_in("${subdirectory}")
  endforeach()
endfunction()

# mpimr_sanitize_exported(<target>): what whoever links the installed, instrumented library
# (tests/install's consumer, say) needs, said on the target. The build tree has its own (below).
# - The sanitizer runtimes: the library calls into them.
# - keep_libraries_loaded.cpp, installed beside the package and compiled into the consumer: without
#   it the leak check at its exit meets Open MPI's unloaded plugins (see that file).
function(mpimr_sanitize_exported target)
  if(NOT MPIMR_SANITIZE)
    return()
  endif()
  target_link_options(${target} INTERFACE $<INSTALL_INTERFACE:-fsanitize=address,undefined>)
  if(MPIMR_INSTALL)
    include(GNUInstallDirs)
    set(shim "${CMAKE_INSTALL_DATADIR}/mpimr/keep_libraries_loaded.cpp")
    install(FILES "${PROJECT_SOURCE_DIR}/tests/sanitizers/keep_libraries_loaded.cpp"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/mpimr")
    target_sources(${target} INTERFACE $<INSTALL_INTERFACE:${shim}>)
  endif()
endfunction()

if(MPIMR_SANITIZE)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    message(FATAL_ERROR "mpimr: MPIMR_SANITIZE needs GCC or Clang, not ${CMAKE_CXX_COMPILER_ID}")
  endif()
  # -fno-omit-frame-pointer: whole stack traces in reports even at -O2.
  # -fno-sanitize-recover=undefined: undefined behaviour aborts the process (so the rank, so the
  # test) instead of printing a line and carrying on as if nothing happened.
  set(MPIMR_SANITIZER_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer
                            -fno-sanitize-recover=undefined)
  add_compile_options(${MPIMR_SANITIZER_FLAGS})
  # The runtimes are linked in only when executables are linked with the flag too.
  add_link_options(-fsanitize=address,undefined)
  list(JOIN MPIMR_SANITIZER_FLAGS " " _flags)
  message(STATUS "mpimr: sanitizers on: ${_flags}")

  add_library(mpimr_keep_libraries_loaded OBJECT
              "${PROJECT_SOURCE_DIR}/tests/sanitizers/keep_libraries_loaded.cpp")
  # At the end of the top-level CMakeLists.txt, when every executable exists.
  cmake_language(DEFER CALL _mpimr_keep_libraries_loaded_in "${PROJECT_SOURCE_DIR}")
endif()
