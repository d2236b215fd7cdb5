// modgate._core: the Python view of the shared runtime (registry lookup by name,
// listing, ABI version, loading a module's native library).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <structmember.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <stdexcept>
#include <string>

#if defined(_WIN32)
#  include <windows.h>
#else
#  include <dlfcn.h>
#endif

#include "modgate/python.h"
#include "modgate/registry.h"

namespace py = pybind11;

namespace {

// A registry function seen from Python: a small CPython type called through vectorcall,
// so a call costs about what a direct pybind11 call does (no pybind11 dispatcher, no
// argument tuple). Holds the registry's pointer, which stays valid for the process.
struct FunctionObject {
  PyObject_HEAD const modgate::FunctionInfo* info;
  vectorcallfunc vectorcall;
};

PyTypeObject* function_type = nullptr;

// Releases the GIL for the native work; reacquires it however the work ends.
class ReleaseGil {
 public:
  ReleaseGil() : state_(PyEval_SaveThread()) {}
  ~ReleaseGil() { PyEval_RestoreThread(state_); }
  ReleaseGil(const ReleaseGil&) = delete;
  ReleaseGil& operator=(const ReleaseGil&) = delete;

 private:
  PyThreadState* state_;
};

// C++ exceptions from a registry function, as Python exceptions (the table in the
// module author guide; pybind11's own except the first): modgate::TypeError -> TypeError,
// std::invalid_argument, std::domain_error, std::length_error, std::range_error ->
// ValueError, std::overflow_error -> OverflowError, std::out_of_range -> IndexError,
// std::bad_alloc -> MemoryError, any other std::exception -> RuntimeError. The message is
// the exception's what(); a TypeError's starts with the function's name.
void set_python_error(const char* name) {
  try {
    throw;
  } catch (py::error_already_set& e) {
    e.restore();
  } catch (const py::builtin_exception& e) {
    e.set_error();
  } catch (const modgate::TypeError& e) {
    PyErr_Format(PyExc_TypeError, "%s: %s", name, e.what());
  } catch (const std::out_of_range& e) {
    PyErr_SetString(PyExc_IndexError, e.what());
  } catch (const std::invalid_argument& e) {
    PyErr_SetString(PyExc_ValueError, e.what());
  } catch (const std::domain_error& e) {
    PyErr_SetString(PyExc_ValueError, e.what());
  } catch (const std::length_error& e) {
    PyErr_SetString(PyExc_ValueError, e.what());
  } catch (const std::range_error& e) {
    PyErr_SetString(PyExc_ValueError, e.what());
  } catch (const std::overflow_error& e) {
    PyErr_SetString(PyExc_OverflowError, e.what());
  } catch (const std::bad_alloc&) {
    PyErr_NoMemory();
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  } catch (...) {
    PyErr_Format(PyExc_RuntimeError, "native function %s raised an unknown C++ exception", name);
  }
}

PyObject* function_call(PyObject* self, PyObject* const* args, size_t nargsf, PyObject* kwnames) {
  const modgate::FunctionInfo* info = reinterpret_cast<FunctionObject*>(self)->info;
  if (kwnames != nullptr && PyTuple_GET_SIZE(kwnames) != 0) {
    PyErr_Format(PyExc_TypeError, "native function %s takes positional arguments only", info->name.c_str());
    return nullptr;
  }
  const Py_ssize_t count = PyVectorcall_NARGS(nargsf);
  try {
    modgate::Args values;
    values.reserve(static_cast<std::size_t>(count));
    for (Py_ssize_t i = 0; i < count; ++i) values.push_back(modgate::python::from_python(args[i]));
    modgate::Value result;
    {
      ReleaseGil release;  // native work runs without the GIL
      result = info->function(values);
    }
    return modgate::python::to_python(result).release().ptr();
  } catch (...) {
    set_python_error(info->name.c_str());
    return nullptr;
  }
}

void function_dealloc(PyObject* self) {
  PyTypeObject* type = Py_TYPE(self);
  PyObject_Free(self);
  Py_DECREF(type);
}

PyObject* function_repr(PyObject* self) {
  return PyUnicode_FromFormat("<modgate native function %s>",
                              reinterpret_cast<FunctionObject*>(self)->info->name.c_str());
}

PyObject* string_attribute(const std::string& value) {
  return PyUnicode_FromStringAndSize(value.data(), static_cast<Py_ssize_t>(value.size()));
}

PyObject* function_name(PyObject* self, void*) {
  return string_attribute(reinterpret_cast<FunctionObject*>(self)->info->name);
}
PyObject* function_module(PyObject* self, void*) {
  return string_attribute(reinterpret_cast<FunctionObject*>(self)->info->module);
}
PyObject* function_doc(PyObject* self, void*) {
  return string_attribute(reinterpret_cast<FunctionObject*>(self)->info->doc);
}

PyGetSetDef function_getset[] = {
    {"name", function_name, nullptr, "The registry key, \"<host>:<module>.<function>\".", nullptr},
    {"module", function_module, nullptr, "The module that registered it, \"<host>:<module>\".", nullptr},
    {"__doc__", function_doc, nullptr, nullptr, nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

PyMemberDef function_members[] = {
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(FunctionObject, vectorcall), READONLY, nullptr},
    {nullptr, 0, 0, 0, nullptr},
};

PyType_Slot function_slots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(function_dealloc)},
    {Py_tp_call, reinterpret_cast<void*>(PyVectorcall_Call)},
    {Py_tp_repr, reinterpret_cast<void*>(function_repr)},
    {Py_tp_getset, function_getset},
    {Py_tp_members, function_members},
    {0, nullptr},
};

PyType_Spec function_spec = {
    "modgate._core.Function",
    sizeof(FunctionObject),
    0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    function_slots,
};

py::object make_function(const modgate::FunctionInfo* info) {
  FunctionObject* self = PyObject_New(FunctionObject, function_type);
  if (self == nullptr) throw py::error_already_set();
  self->info = info;
  self->vectorcall = function_call;
  return py::reinterpret_steal<py::object>(reinterpret_cast<PyObject*>(self));
}

void load_library(const std::string& path) {
#if defined(_WIN32)
  if (LoadLibraryA(path.c_str()) == nullptr) throw py::value_error("cannot load " + path);
#else
  if (dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL) == nullptr) {
    const char* why = dlerror();
    PyErr_SetString(PyExc_OSError, why != nullptr ? why : ("cannot load " + path).c_str());
    throw py::error_already_set();
  }
#endif
}

}  // namespace

MODGATE_PYBIND11_MODULE(_core, m) {
  m.doc() = "The modgate runtime: the process-wide registry of named native functions.";
  m.attr("ABI_VERSION") = MODGATE_ABI_VERSION;

  function_type = reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&function_spec));
  if (function_type == nullptr) throw py::error_already_set();
  m.add_object("Function", reinterpret_cast<PyObject*>(function_type));

  m.def(
      "lookup",
      [](const std::string& name) -> py::object {
        const modgate::FunctionInfo* info = modgate::find_registered(name);
        if (info == nullptr) return py::none();
        return make_function(info);
      },
      py::arg("key"), "The function registered under `key` (\"<host>:<module>.<function>\"), or None.");
  m.def("functions", &modgate::function_names, "Every registered function name, sorted.");
  m.def("alias_module", &modgate::alias_module, py::arg("capability"), py::arg("provider"),
        "Map '<host>:<capability>' to '<host>:<provider>' for lookups; False when already mapped.");
  m.def("registry_errors", &modgate::registry_errors, "Registrations the registry refused.");
  m.def("abi_version", &modgate::runtime_abi_version, "The loaded runtime's ABI version.");
  m.def(
      "_registry_address", [] { return reinterpret_cast<std::uintptr_t>(modgate::registry_address()); },
      "Address of the process-wide registry (equal in every extension of one process).");
  m.def("load_library", &load_library, py::arg("path"),
        "Load a module's native library so that its functions register.");
}
