// modgate.modules.scan._native: the scanner for Python callers.
#include <modgate/python.h>
#include <pybind11/stl.h>

#include "modgate/scan/scanner.h"

namespace py = pybind11;

MODGATE_PYTHON_MODULE(m) {
  m.doc() = "Native scanner of #include lines and Python imports.";
  m.def(
      "includes",
      [](const std::string& source) {
        std::vector<std::tuple<int, std::string, bool>> out;
        for (const auto& inc : modgate::scan::includes(source)) out.emplace_back(inc.line, inc.target, inc.angled);
        return out;
      },
      py::arg("source"), py::call_guard<py::gil_scoped_release>(),
      "[(line, target, angled), ...] for each #include in C/C++ source text.");
  m.def(
      "imports",
      [](const std::string& source) {
        std::vector<std::tuple<int, std::string, std::string>> out;
        for (const auto& imp : modgate::scan::imports(source)) out.emplace_back(imp.line, imp.module, imp.name);
        return out;
      },
      py::arg("source"), py::call_guard<py::gil_scoped_release>(),
      "[(line, module, name), ...] for each import statement in Python source text.");
}
