// modgate.modules.xref._native
#include <modgate/python.h>
#include <pybind11/stl.h>

#include "modgate/xref/xref.h"

namespace py = pybind11;

MODGATE_PYTHON_MODULE(m) {
  m.doc() = "Cross-module reference index.";
  m.def(
      "references",
      [](const std::string& root) {
        std::vector<std::tuple<std::string, int, std::string, std::string>> out;
        for (const auto& ref : modgate::xref::references(root))
          out.emplace_back(ref.file, ref.line, ref.module, ref.kind);
        return out;
      },
      py::arg("root"), py::call_guard<py::gil_scoped_release>(),
      "[(file, line, module, kind), ...] for every reference to a module under `root`.");
  m.def("module_of_include", &modgate::xref::module_of_include, py::arg("target"));
  m.def("module_of_import", &modgate::xref::module_of_import, py::arg("module"), py::arg("name") = "");
}
