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

#include <cstddef>
#include <cstdint>
#include <string>

#include "modgate/registry.h"

namespace modgate::python {

// Value -> Python object (the CPython API directly: this is on every registry call).
inline pybind11::object to_python(const Value& value) {
  namespace py = pybind11;
  PyObject* out = nullptr;
  switch (value.kind()) {
    case Value::Kind::None:
      return py::none();
    case Value::Kind::Bool:
      return py::bool_(value.as_bool());
    case Value::Kind::Int:
      out = PyLong_FromLongLong(value.as_int());
      break;
    case Value::Kind::Float:
      out = PyFloat_FromDouble(value.as_float());
      break;
    case Value::Kind::String: {
      const std::string& text = value.as_string();
      out = PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), nullptr);
      break;
    }
    case Value::Kind::List: {
      const List& items = value.as_list();
      py::list list(items.size());
      for (std::size_t i = 0; i < items.size(); ++i) {
        PyList_SET_ITEM(list.ptr(), static_cast<Py_ssize_t>(i), to_python(items[i]).release().ptr());
      }
      return std::move(list);
    }
    case Value::Kind::Dict: {
      py::dict dict;
      for (const auto& [key, item] : value.as_dict()) {
        py::object name = py::reinterpret_steal<py::object>(
            PyUnicode_DecodeUTF8(key.data(), static_cast<Py_ssize_t>(key.size()), nullptr));
        if (!name) throw py::error_already_set();
        if (PyDict_SetItem(dict.ptr(), name.ptr(), to_python(item).ptr()) != 0) throw py::error_already_set();
      }
      return std::move(dict);
    }
  }
  if (out == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(out);
}

// Python object -> Value; raises TypeError for what a Value cannot hold.
inline Value from_python(pybind11::handle object) {
  namespace py = pybind11;
  PyObject* o = object.ptr();
  if (PyUnicode_Check(o)) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(o, &size);
    if (data == nullptr) throw py::error_already_set();
    return Value(std::string(data, static_cast<std::size_t>(size)));
  }
  if (o == Py_None) return Value();
  if (PyBool_Check(o)) return Value(o == Py_True);
  if (PyLong_Check(o)) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow != 0) throw py::type_error("integer does not fit in 64 bits");
    if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
    return Value(v);
  }
  if (PyFloat_Check(o)) return Value(PyFloat_AS_DOUBLE(o));
  if (PyList_Check(o) || PyTuple_Check(o)) {
    py::object items = py::reinterpret_steal<py::object>(PySequence_Fast(o, "a list or tuple"));
    if (!items) throw py::error_already_set();
    const Py_ssize_t count = PySequence_Fast_GET_SIZE(items.ptr());
    List out;
    out.reserve(static_cast<std::size_t>(count));
    for (Py_ssize_t i = 0; i < count; ++i) out.push_back(from_python(PySequence_Fast_GET_ITEM(items.ptr(), i)));
    return Value(std::move(out));
  }
  if (PyDict_Check(o)) {
    Dict out;
    PyObject* key = nullptr;
    PyObject* item = nullptr;
    Py_ssize_t position = 0;
    while (PyDict_Next(o, &position, &key, &item)) {
      if (!PyUnicode_Check(key)) throw py::type_error("dict keys must be str");
      Py_ssize_t size = 0;
      const char* data = PyUnicode_AsUTF8AndSize(key, &size);
      if (data == nullptr) throw py::error_already_set();
      out.emplace_back(std::string(data, static_cast<std::size_t>(size)), from_python(item));
    }
    return Value(std::move(out));
  }
  throw py::type_error(std::string("cannot pass a ") + Py_TYPE(o)->tp_name +
                       " to a registry function (use None, bool, int, float, str, list, tuple or dict)");
}

// Whether the importing interpreter is the main one; else an ImportError is set. pybind11
// keeps one state per process and takes the GIL with PyGILState_Ensure, which in a
// subinterpreter waits forever: MODGATE_PYBIND11_MODULE refuses before pybind11 starts.
inline bool in_main_interpreter(const char* name) {
  if (PyInterpreterState_Get() == PyInterpreterState_Main()) return true;
  PyErr_Format(PyExc_ImportError,
               "%s: modgate's native extensions load in the main interpreter only (pybind11 keeps one state per"
               " process, which a subinterpreter would wait on forever); import it from the main interpreter",
               name);
  return false;
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
  m.def(
      "_registry_address", [] { return reinterpret_cast<std::uintptr_t>(registry_address()); },
      "Address of the process-wide registry (equal in every extension of one process).");
}

}  // namespace modgate::python

// PYBIND11_MODULE(name, variable) that raises ImportError in a subinterpreter instead of
// hanging there (see in_main_interpreter): use it for every extension of a host's core.
//
//   MODGATE_PYBIND11_MODULE(_core, m) { m.def("greet", &greet); }
#define MODGATE_PYBIND11_MODULE(name, variable)                           \
  extern "C" PYBIND11_EXPORT PyObject* PyInit_modgate_unguarded_##name(); \
  extern "C" PYBIND11_EXPORT PyObject* PyInit_##name() {                  \
    if (!::modgate::python::in_main_interpreter(#name)) return nullptr;   \
    return PyInit_modgate_unguarded_##name();                             \
  }                                                                       \
  PYBIND11_MODULE(modgate_unguarded_##name, variable)

#ifndef MODGATE_MODULE_NAME
#  define MODGATE_PYTHON_MODULE(m) \
    static_assert(false, "MODGATE_MODULE_NAME is not defined: build this file as part of a modgate module")
#else
#  define MODGATE_PYTHON_MODULE(m)                                  \
    static void modgate_python_module_body(::pybind11::module_& m); \
    MODGATE_PYBIND11_MODULE(_native, m) {                           \
      ::modgate::python::init_module(m, MODGATE_MODULE_NAME);       \
      modgate_python_module_body(m);                                \
    }                                                               \
    static void modgate_python_module_body(::pybind11::module_& m)
#endif
