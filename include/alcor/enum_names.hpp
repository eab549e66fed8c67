// The names of an enum's values, declared once as a table that serves both directions: value to
// name for output and reports, name to value for configs and state files. A table lists every
// value of its enum; NameIn returns `unknown` for a value it lacks (a table that fell behind its
// enum), which the enum's tests catch.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace alcor {

template <typename Enum>
struct EnumName {
  Enum value;
  const char* name;
};

template <typename Enum, size_t N>
constexpr const char* NameIn(const EnumName<Enum> (&names)[N], Enum value, const char* unknown = "unknown") {
  for (const EnumName<Enum>& entry : names) {
    if (entry.value == value) return entry.name;
  }
  return unknown;
}

// The value named `name` (compared exactly), or nullopt.
template <typename Enum, size_t N>
constexpr std::optional<Enum> ValueNamed(const EnumName<Enum> (&names)[N], std::string_view name) {
  for (const EnumName<Enum>& entry : names) {
    if (name == entry.name) return entry.value;
  }
  return std::nullopt;
}

}  // namespace alcor
