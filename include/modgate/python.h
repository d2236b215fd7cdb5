// modgate/python.h — a module's Python extension in a few lines (pybind11).
//
// Sources under modules/<name>/python/ (*.cc, *.cpp) build the extension
// modgate.modules.<name>._native, linked to the module's library and to the shared runtime:
//
//   #include <modgate/python.h>
//   #include <modgate/mymodule/api.h>
//
//   MODGATE_PYTHON_MODULE(m) {
//     m.def("greet", &mymodule::greet, "Greets someone.");
//   }
//
// The extension refuses to load (ImportError) when the runtime in the process has
// another ABI version than the headers it was compiled with.
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>

#include "modgate/registry.h"

namespace modgate::python {

// Value -> Python object.
inline pybind11::object to_python(const Value& value) {
  namespace py = pybind11;
  switch (value.kind()) {
    case Value::Kind::None:
      return py::none();
    case Value::Kind::Bool:
      return py::bool_(value.as_bool());
    case Value::Kind::Int:
      return py::int_(value.as_int());
    case Value::Kind::Float:
      return py::float_(value.as_float());
    case Value::Kind::String:
      return py::str(value.as_string());
    case Value::Kind::List: {
      py::list out;
      for (const Value& item : value.as_list()) out.append(to_python(item));
      return std::move(out);
    }
    case Value::Kind::Dict: {
      py::dict out;
      for (const auto& [key, item] : value.as_dict()) out[py::str(key)] = to_python(item);
      return std::move(out);
    }
  }
  return py::none();
}

// Python object -> Value; raises TypeError for what a Value cannot hold.
inline Value from_python(pybind11::handle object) {
  namespace py = pybind11;
  if (object.is_none()) return Value();
  if (py::isinstance<py::bool_>(object)) return Value(object.cast<bool>());
  if (py::isinstance<py::int_>(object)) {
    try {
      return Value(object.cast<long long>());
    } catch (const py::cast_error&) {
      throw py::type_error("integer does not fit in 64 bits");
    }
  }
  if (py::isinstance<py::float_>(object)) return Value(object.cast<double>());
  if (py::isinstance<py::str>(object)) return Value(object.cast<std::string>());
  if (py::isinstance<py::list>(object) || py::isinstance<py::tuple>(object)) {
    List out;
    for (py::handle item : object) out.push_back(from_python(item));
    return Value(std::move(out));
  }
  if (py::isinstance<py::dict>(object)) {
    Dict out;
    for (auto item : object.cast<py::dict>()) {
      if (!py::isinstance<py::str>(item.first)) throw py::type_error("dict keys must be str");
      out.emplace_back(item.first.cast<std::string>(), from_python(item.second));
    }
    return Value(std::move(out));
  }
  throw py::type_error(std::string("cannot pass a ") + std::string(py::str(py::type::handle_of(object).attr("__name__"))) +
                       " to a registry function (use None, bool, int, float, str, list, tuple or dict)");
}

// Called first by MODGATE_PYTHON_MODULE: the ABI check and the attributes every
// module extension has.
inline void init_module(pybind11::module_& m, const char* module) {
  if (runtime_abi_version() != MODGATE_ABI_VERSION) {
    throw pybind11::import_error(std::string("modgate module '") + module + "' was built for runtime ABI " +
                                 std::to_string(MODGATE_ABI_VERSION) + ", but the loaded modgate runtime has ABI " +
                                 std::to_string(runtime_abi_version()) +
                                 ": rebuild the module against the installed modgate");
  }
  m.attr("MODGATE_ABI_VERSION") = MODGATE_ABI_VERSION;
  m.attr("MODGATE_MODULE") = module;
  m.def("_registry_address", [] { return reinterpret_cast<std::uintptr_t>(registry_address()); },
        "Address of the process-wide registry (equal in every extension of one process).");
}

}  // namespace modgate::python

#ifndef MODGATE_MODULE_NAME
#  define MODGATE_PYTHON_MODULE(m) \
    static_assert(false, "MODGATE_MODULE_NAME is not defined: build this file as part of a modgate module")
#else
#  define MODGATE_PYTHON_MODULE(m)                                   \
    static void modgate_python_module_body(::pybind11::module_& m);  \
    PYBIND11_MODULE(_native, m) {                                    \
      ::modgate::python::init_module(m, MODGATE_MODULE_NAME);        \
      modgate_python_module_body(m);                                 \
    }                                                                \
    static void modgate_python_module_body(::pybind11::module_& m)
#endif
