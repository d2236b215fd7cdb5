// modgate/module.h — the C++ authoring API for modules.
//
// A module adds a function to the registry when its library loads:
//
//   #include <modgate/module.h>
//
//   static std::string greet(std::string who) { return "hello " + who; }
//   MODGATE_REGISTER_FUNCTION("mymodule.greet", greet, "Greets someone.");
//
// The name must start with the module's own name and a dot ("mymodule."): modgate's CMake
// defines MODGATE_MODULE_NAME and MODGATE_HOST_NAME for each module target, and the
// function is registered in its host's namespace ("<host>:mymodule.greet"). Plain functions with arguments and
// results of type bool, int, std::int64_t, double, std::string (a `const std::string&` or
// std::string_view parameter reads the argument without a copy), std::vector<T> or
// modgate::Value are converted for you; a modgate::Function (a std::function taking
// const Args&) is registered as it is. For the module's Python extension, see
// modgate/python.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "modgate/registry.h"

namespace modgate {

// Conversion between C++ types and Value; specialise it for your own types.
template <class T, class = void>
struct convert;

template <>
struct convert<Value> {
  static Value from(const Value& v) { return v; }
  static Value to(Value v) { return v; }
};
template <>
struct convert<bool> {
  static bool from(const Value& v) { return v.as_bool(); }
  static Value to(bool v) { return Value(v); }
};
template <class T>
struct convert<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>> {
  static T from(const Value& v) {
    const std::int64_t i = v.as_int();
    bool fits;
    if constexpr (std::is_signed_v<T>) {
      fits = i >= static_cast<std::int64_t>(std::numeric_limits<T>::min()) &&
             i <= static_cast<std::int64_t>(std::numeric_limits<T>::max());
    } else {
      fits = i >= 0 && static_cast<std::uint64_t>(i) <= static_cast<std::uint64_t>(std::numeric_limits<T>::max());
    }
    if (!fits) throw TypeError("integer " + std::to_string(i) + " out of range");
    return static_cast<T>(i);
  }
  static Value to(T v) { return Value(static_cast<long long>(v)); }
};
template <>
struct convert<double> {
  static double from(const Value& v) { return v.as_float(); }
  static Value to(double v) { return Value(v); }
};
template <>
struct convert<std::string> {
  static std::string from(const Value& v) { return v.as_string(); }
  static Value to(std::string v) { return Value(std::move(v)); }
};
template <>
struct convert<std::string_view> {  // views the argument's string; valid during the call
  static std::string_view from(const Value& v) { return v.as_string(); }
  static Value to(std::string_view v) { return Value(std::string(v)); }
};
template <class T>
struct convert<std::vector<T>> {
  static std::vector<T> from(const Value& v) {
    std::vector<T> out;
    for (const Value& item : v.as_list()) out.push_back(convert<T>::from(item));
    return out;
  }
  static Value to(const std::vector<T>& v) {
    List out;
    out.reserve(v.size());
    for (const T& item : v) out.push_back(convert<T>::to(item));
    return Value(std::move(out));
  }
};

namespace detail {

// A `const std::string&` parameter is bound to the argument's own string (no copy);
// every other parameter gets a converted value.
template <class T>
decltype(auto) argument(const Args& args, std::size_t index) {
  try {
    if constexpr (std::is_same_v<T, const std::string&>) {
      return static_cast<const std::string&>(args[index].as_string());
    } else {
      return convert<std::decay_t<T>>::from(args[index]);
    }
  } catch (const TypeError& error) {
    throw TypeError("argument " + std::to_string(index + 1) + ": " + error.what());
  }
}

template <class R, class... A, std::size_t... I>
Value invoke(R (*fn)(A...), const Args& args, std::index_sequence<I...>) {
  if constexpr (std::is_void_v<R>) {
    fn(argument<A>(args, I)...);
    return Value();
  } else {
    return convert<std::decay_t<R>>::to(fn(argument<A>(args, I)...));
  }
}

template <class R, class... A>
Function as_function(R (*fn)(A...)) {
  return [fn](const Args& args) -> Value {
    if (args.size() != sizeof...(A))
      throw TypeError("expected " + std::to_string(sizeof...(A)) + " argument(s), got " + std::to_string(args.size()));
    return invoke(fn, args, std::index_sequence_for<A...>{});
  };
}

inline Function as_function(Function fn) { return fn; }

// A provider's registration (its target defines MODGATE_MODULE_PROVIDES, its capability):
// NAME ("<module>.<function>") for its module, and "<capability>.<function>" for the
// capability, which is what the core looks up; at most one provider of it is built. (Under
// policy "any" the providers are built side by side and none is defined this way: the
// run-time choice maps the capability to one, modgate::alias_module in modgate/registry.h.)
inline bool register_provided(const std::string& name, const Function& function, const char* doc, const char* host,
                              const char* module, const char* capability) {
  const std::string prefix = std::string(module) + ".";
  const bool own = register_function(std::string(host) + ":" + name, function, doc, std::string(host) + ":" + module);
  if (!own || name.compare(0, prefix.size(), prefix) != 0) return own;
  const std::string alias = std::string(capability) + "." + name.substr(prefix.size());
  return register_function(std::string(host) + ":" + alias, function, doc, std::string(host) + ":" + capability);
}

}  // namespace detail
}  // namespace modgate

#define MODGATE_DETAIL_CONCAT2(a, b) a##b
#define MODGATE_DETAIL_CONCAT(a, b) MODGATE_DETAIL_CONCAT2(a, b)

#if !defined(MODGATE_MODULE_NAME) || !defined(MODGATE_HOST_NAME)
#  define MODGATE_REGISTER_FUNCTION(NAME, FN, DOC) \
    static_assert(false, "MODGATE_MODULE_NAME is not defined: build this file as part of a modgate module")
#elif defined(MODGATE_MODULE_PROVIDES)
// Registers FN as NAME ("<module>.<function>") and as "<capability>.<function>".
#  define MODGATE_REGISTER_FUNCTION(NAME, FN, DOC)                                                                 \
    static const bool MODGATE_DETAIL_CONCAT(modgate_registered_, __LINE__) =                                       \
        ::modgate::detail::register_provided((NAME), ::modgate::detail::as_function(FN), (DOC), MODGATE_HOST_NAME, \
                                             MODGATE_MODULE_NAME, MODGATE_MODULE_PROVIDES)
#else
// Registers FN as NAME ("<module>.<function>") of this module's host when the library loads.
#  define MODGATE_REGISTER_FUNCTION(NAME, FN, DOC)                                                                    \
    static const bool MODGATE_DETAIL_CONCAT(modgate_registered_, __LINE__) =                                          \
        ::modgate::register_function(std::string(MODGATE_HOST_NAME ":") + (NAME), ::modgate::detail::as_function(FN), \
                                     (DOC), MODGATE_HOST_NAME ":" MODGATE_MODULE_NAME)
#endif
