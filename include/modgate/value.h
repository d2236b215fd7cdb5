// modgate/value.h — the dynamically typed value passed to and from registry functions.
//
// A registry function takes a list of Values and returns one, so the core, modules and
// Python can call each other's functions by name without sharing C++ types.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "modgate/abi.h"

namespace modgate {

class Value;
using List = std::vector<Value>;
using Dict = std::vector<std::pair<std::string, Value>>;  // keeps insertion order

// Thrown when a Value holds another kind than the one asked for.
class TypeError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class MODGATE_RUNTIME_API Value {
 public:
  enum class Kind { None, Bool, Int, Float, String, List, Dict };

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool v) : data_(v) {}
  Value(int v) : data_(static_cast<std::int64_t>(v)) {}
  Value(long v) : data_(static_cast<std::int64_t>(v)) {}
  Value(long long v) : data_(static_cast<std::int64_t>(v)) {}
  Value(double v) : data_(v) {}
  Value(const char* v) : data_(std::string(v)) {}
  Value(std::string v) : data_(std::move(v)) {}
  Value(List v) : data_(std::make_shared<const List>(std::move(v))) {}
  Value(Dict v) : data_(std::make_shared<const Dict>(std::move(v))) {}

  Kind kind() const { return static_cast<Kind>(data_.index()); }
  bool is_none() const { return kind() == Kind::None; }

  bool as_bool() const { return get<bool>("bool"); }
  std::int64_t as_int() const { return get<std::int64_t>("int"); }
  double as_float() const;  // accepts an Int too
  const std::string& as_string() const { return get<std::string>("string"); }
  const List& as_list() const { return *get<std::shared_ptr<const List>>("list"); }
  const Dict& as_dict() const { return *get<std::shared_ptr<const Dict>>("dict"); }

  // The kind's name, as used in error messages ("int", "list", ...).
  static const char* kind_name(Kind kind);

 private:
  template <class T>
  const T& get(const char* wanted) const {
    if (const T* p = std::get_if<T>(&data_)) return *p;
    throw TypeError(std::string("expected ") + wanted + ", got " + kind_name(kind()));
  }

  std::variant<std::monostate, bool, std::int64_t, double, std::string, std::shared_ptr<const List>,
               std::shared_ptr<const Dict>>
      data_;
};

}  // namespace modgate
