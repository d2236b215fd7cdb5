// Compiled into each Python extension of a host's core (modgate_core_target): when the
// extension loads, it gives the runtime a module loader, so that the core's
// modgate::find_function("<module>.<function>") finds a built module's function in a
// fresh process, with nothing imported before. The loader asks modgate.native.load (the
// loader of modgate's runtime: the manifest, MODGATE_DISABLE, the ABI check) under the GIL.
#include <Python.h>

#include <string>

#include "modgate/registry.h"

namespace {

void load_module(const std::string& module) {
  if (!Py_IsInitialized()) return;
  PyGILState_STATE gil = PyGILState_Ensure();
  PyObject* native = PyImport_ImportModule("modgate.native");
  PyObject* result = native != nullptr ? PyObject_CallMethod(native, "load", "s", module.c_str()) : nullptr;
  if (result == nullptr) {
    // A lookup allows a missing function, so the core takes its fallback; the reason is shown.
    std::string where = "modgate: loading module '" + module + "' for a native lookup";
    PyObject* context = PyUnicode_FromStringAndSize(where.data(), static_cast<Py_ssize_t>(where.size()));
    PyErr_WriteUnraisable(context);
    Py_XDECREF(context);
  }
  Py_XDECREF(result);
  Py_XDECREF(native);
  PyGILState_Release(gil);
}

[[maybe_unused]] const bool installed = (modgate::set_module_loader(&load_module), true);

}  // namespace
