// The parts of modgate::Value that are not inline.
#include "modgate/value.h"

namespace modgate {

double Value::as_float() const {
  if (kind() == Kind::Int) return static_cast<double>(std::get<std::int64_t>(data_));
  return get<double>("float");
}

const char* Value::kind_name(Kind kind) {
  switch (kind) {
    case Kind::None:
      return "None";
    case Kind::Bool:
      return "bool";
    case Kind::Int:
      return "int";
    case Kind::Float:
      return "float";
    case Kind::String:
      return "string";
    case Kind::List:
      return "list";
    case Kind::Dict:
      return "dict";
  }
  return "?";
}

}  // namespace modgate
