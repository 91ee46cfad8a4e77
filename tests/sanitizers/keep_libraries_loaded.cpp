// Sanitizer builds only: linked into every executable by cmake/mpimr_sanitizers.cmake. A dlclose
// that keeps the library loaded, so that Open MPI's plugins are still mapped at exit.
//
// Why: MPI_Finalize dlcloses the MCA components (mca_*.so) that made many of Open MPI's start-up
// allocations, and LeakSanitizer runs after it. Their frames then read "<unknown module>" and
// cannot be matched by tests/sanitizers/lsan.supp; memory that only the components' own static
// data pointed to looks leaked (about 100 reports per rank instead of 8); and every such frame
// makes the sanitizer runtime re-read /proc/self/maps (measured: about 40000 system calls and
// 1.5 s of CPU per process at exit).
// A definition in the executable takes precedence over libc's for every library in the process;
// Open MPI built with --disable-dlopen behaves the same way (its components are never unloaded).

extern "C" int dlclose(void* /*handle*/) noexcept { return 0; }
