// modgate._core: the Python view of the shared runtime (registry lookup by name,
// listing, ABI version, loading a module's native library).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
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

// A registry function seen from Python. Holds the registry's pointer, which stays valid.
class PyFunction {
 public:
  explicit PyFunction(const modgate::FunctionInfo* info) : info_(info) {}

  py::object call(const py::args& args) const {
    modgate::Args values;
    values.reserve(args.size());
    for (py::handle arg : args) values.push_back(modgate::python::from_python(arg));
    modgate::Value result;
    {
      py::gil_scoped_release release;  // native work runs without the GIL
      result = info_->function(values);
    }
    return modgate::python::to_python(result);
  }

  const std::string& name() const { return info_->name; }
  const std::string& module() const { return info_->module; }
  const std::string& doc() const { return info_->doc; }

 private:
  const modgate::FunctionInfo* info_;
};

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

PYBIND11_MODULE(_core, m) {
  m.doc() = "The modgate runtime: the process-wide registry of named native functions.";
  m.attr("ABI_VERSION") = MODGATE_ABI_VERSION;

  py::class_<PyFunction>(m, "Function", "A native function from the registry.")
      .def("__call__", &PyFunction::call)
      .def_property_readonly("name", &PyFunction::name)
      .def_property_readonly("module", &PyFunction::module)
      .def_property_readonly("__doc__", &PyFunction::doc)
      .def("__repr__", [](const PyFunction& f) { return "<modgate native function " + f.name() + ">"; });

  m.def(
      "lookup",
      [](const std::string& name) -> py::object {
        const modgate::FunctionInfo* info = modgate::find_registered(name);
        if (info == nullptr) return py::none();
        return py::cast(PyFunction(info));
      },
      py::arg("key"), "The function registered under `key` (\"<host>:<module>.<function>\"), or None.");
  m.def("functions", &modgate::function_names, "Every registered function name, sorted.");
  m.def("registry_errors", &modgate::registry_errors, "Registrations the registry refused.");
  m.def("abi_version", &modgate::runtime_abi_version, "The loaded runtime's ABI version.");
  m.def("_registry_address", [] { return reinterpret_cast<std::uintptr_t>(modgate::registry_address()); },
        "Address of the process-wide registry (equal in every extension of one process).");
  m.def("load_library", &load_library, py::arg("path"),
        "Load a module's native library so that its functions register.");
}
