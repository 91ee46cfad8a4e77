// Adaptive Gauss-Kronrod quadrature of one subinterval (a chunk of the integrate app): the 7-point
// Gauss / 15-point Kronrod pair with QUADPACK's error estimate, bisecting the worst piece until the
// summed error estimate meets the subinterval's share of the tolerance.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace integrate_app {

struct piece {
  double lo = 0;
  double hi = 0;
  double value = 0;
  double error = 0;
};

/// G7K15 on [lo, hi] (QUADPACK's qk15): the Kronrod value and an error estimate that is scaled
/// towards the integrand's variation and never below the round-off of the sum.
template <class F>
[[nodiscard]] piece gauss_kronrod_15(const F& f, double lo, double hi) {
  // Kronrod nodes on [-1, 1]; odd indices are also the 7-point Gauss nodes, index 7 the centre.
  static constexpr std::array<double, 8> xgk{
      0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
      0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
      0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
      0.207784955007898467600689403773245, 0.000000000000000000000000000000000};
  static constexpr std::array<double, 8> wgk{
      0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
      0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
      0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
      0.204432940075298892414161999234649, 0.209482141084727828012999174891714};
  static constexpr std::array<double, 4> wg{
      0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
      0.381830050505118944950369775488975, 0.417959183673469387755102040816327};
  constexpr double epsilon = std::numeric_limits<double>::epsilon();
  constexpr double tiny = std::numeric_limits<double>::min();

  const double centre = 0.5 * (lo + hi);
  const double half = 0.5 * (hi - lo);
  const double f_centre = f(centre);
  double gauss = f_centre * wg[3];
  double kronrod = f_centre * wgk[7];
  double abs_sum = std::abs(kronrod);
  std::array<double, 7> left{};
  std::array<double, 7> right{};
  for (std::size_t j = 0; j < 7; ++j) {
    const double offset = half * xgk[j];
    left[j] = f(centre - offset);
    right[j] = f(centre + offset);
    const double pair = left[j] + right[j];
    kronrod += wgk[j] * pair;
    abs_sum += wgk[j] * (std::abs(left[j]) + std::abs(right[j]));
    if (j % 2 == 1) gauss += wg[j / 2] * pair;
  }
  const double mean = kronrod * 0.5;
  double variation = wgk[7] * std::abs(f_centre - mean);
  for (std::size_t j = 0; j < 7; ++j) {
    variation += wgk[j] * (std::abs(left[j] - mean) + std::abs(right[j] - mean));
  }
  const double width = std::abs(half);
  abs_sum *= width;
  variation *= width;
  double error = std::abs((kronrod - gauss) * half);
  if (variation != 0 && error != 0) {
    error = variation * std::min(1.0, std::pow(200 * error / variation, 1.5));
  }
  if (abs_sum > tiny / (50 * epsilon)) error = std::max(50 * epsilon * abs_sum, error);
  return {lo, hi, kronrod * half, error};
}

struct adaptive_result {
  double value = 0;
  double error = 0;
  std::uint64_t bisections = 0;
  bool converged = false;  // the error estimate met the target
};

/// Integrates f over [lo, hi] to an estimated error of at most `target`, bisecting the piece with
/// the largest error estimate at most `max_bisections` times. Stops early, unconverged, when that
/// piece is too narrow to split in double precision. The value and error are summed left to right,
/// so they depend only on the arguments.
template <class F>
[[nodiscard]] adaptive_result integrate_adaptive(const F& f, double lo, double hi, double target,
                                                 std::uint64_t max_bisections) {
  auto by_error = [](const piece& x, const piece& y) { return x.error < y.error; };
  std::vector<piece> heap{gauss_kronrod_15(f, lo, hi)};
  auto exact_error = [&] {
    double sum = 0;
    for (const piece& p : heap) sum += p.error;
    return sum;
  };
  // A running sum decides when to stop looking; it is checked against an exact sum before
  // stopping, because subtracting the large errors of split pieces leaves rounding behind.
  double running = heap.front().error;
  adaptive_result out;
  while (running > target || (running = exact_error()) > target) {
    if (out.bisections == max_bisections) break;
    std::pop_heap(heap.begin(), heap.end(), by_error);
    const piece worst = heap.back();
    const double mid = 0.5 * (worst.lo + worst.hi);
    if (!(worst.lo < mid && mid < worst.hi)) {
      std::push_heap(heap.begin(), heap.end(), by_error);
      break;
    }
    const piece left = gauss_kronrod_15(f, worst.lo, mid);
    const piece right = gauss_kronrod_15(f, mid, worst.hi);
    heap.back() = left;
    std::push_heap(heap.begin(), heap.end(), by_error);
    heap.push_back(right);
    std::push_heap(heap.begin(), heap.end(), by_error);
    running = running - worst.error + left.error + right.error;
    ++out.bisections;
  }
  std::sort(heap.begin(), heap.end(), [](const piece& x, const piece& y) { return x.lo < y.lo; });
  for (const piece& p : heap) {
    out.value += p.value;
    out.error += p.error;
  }
  out.converged = out.error <= target;
  return out;
}

}  // namespace integrate_app
