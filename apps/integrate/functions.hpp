// The integrands the integrate app offers by name, each with a closed form of its integral over any
// [a, b] built from standard functions, so the true error of a result can be printed.
#pragma once

#include <array>
#include <cmath>
#include <numbers>
#include <optional>
#include <string>
#include <string_view>

namespace integrate_app {

enum class function_kind { exp_cos, runge, gaussian, lorentzian, cosine };

struct function_info {
  function_kind kind;
  std::string_view name;
  std::string_view formula;
};

inline constexpr std::array<function_info, 5> catalog{{
    {function_kind::exp_cos, "exp-cos", "exp(x) cos(x) (smooth)"},
    {function_kind::runge, "runge", "1 / (1 + x^2) (smooth)"},
    {function_kind::gaussian, "gaussian",
     "exp(-((x - c) / w)^2), a peak of width w at c (--peak-center, --peak-width)"},
    {function_kind::lorentzian, "lorentzian",
     "1 / ((x - c)^2 + w^2), a peak of height 1/w^2 at c (--peak-center, --peak-width)"},
    {function_kind::cosine, "cosine",
     "cos(k x), oscillating k/(2 pi) times per unit (--frequency)"},
}};

[[nodiscard]] inline std::optional<function_kind> find_function(std::string_view name) {
  for (const auto& f : catalog) {
    if (f.name == name) return f.kind;
  }
  return std::nullopt;
}

/// "exp-cos, runge, ...": the valid names, for messages and --help.
[[nodiscard]] inline std::string function_names() {
  std::string names;
  for (const auto& f : catalog) {
    if (!names.empty()) names += ", ";
    names += f.name;
  }
  return names;
}

struct parameters {
  double center = 0.3;     // c of the peaks
  double width = 1e-3;     // w of the peaks
  double frequency = 1e3;  // k of the cosine
};

/// Calls `visit(f)` with the integrand as a lambda `double(double)`, so the quadrature loop is
/// compiled once per integrand with the function inlined (no indirect call per evaluation).
template <class Visitor>
decltype(auto) with_integrand(function_kind kind, const parameters& p, Visitor&& visit) {
  switch (kind) {
    case function_kind::exp_cos:
      return visit([](double x) { return std::exp(x) * std::cos(x); });
    case function_kind::runge:
      return visit([](double x) { return 1.0 / (1.0 + x * x); });
    case function_kind::gaussian:
      return visit([c = p.center, w = p.width](double x) {
        const double t = (x - c) / w;
        return std::exp(-t * t);
      });
    case function_kind::lorentzian:
      return visit([c = p.center, w2 = p.width * p.width](double x) {
        const double d = x - c;
        return 1.0 / (d * d + w2);
      });
    case function_kind::cosine:
      break;
  }
  return visit([k = p.frequency](double x) { return std::cos(k * x); });
}

/// The integral over [a, b] in closed form.
[[nodiscard]] inline double exact_integral(function_kind kind, const parameters& p, double a,
                                           double b) {
  const double c = p.center;
  const double w = p.width;
  switch (kind) {
    case function_kind::exp_cos: {
      auto antiderivative = [](double x) { return std::exp(x) * (std::sin(x) + std::cos(x)) / 2; };
      return antiderivative(b) - antiderivative(a);
    }
    case function_kind::runge:
      return std::atan(b) - std::atan(a);
    case function_kind::gaussian:
      return w * std::sqrt(std::numbers::pi) / 2 * (std::erf((b - c) / w) - std::erf((a - c) / w));
    case function_kind::lorentzian:
      return (std::atan((b - c) / w) - std::atan((a - c) / w)) / w;
    case function_kind::cosine:
      break;
  }
  const double k = p.frequency;
  return (std::sin(k * b) - std::sin(k * a)) / k;
}

}  // namespace integrate_app
