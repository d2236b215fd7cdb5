// Built on scan's C++ API: this module declares `requires = ["scan"]`, so it sees
// scan's headers and links its library.
#include "modgate/xref/xref.h"

#include <modgate/module.h>
#include <modgate/scan/scanner.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <tuple>

namespace modgate::xref {
namespace {

bool is_name(const std::string& s) {
  if (s.empty() || s.size() > 63 || s[0] < 'a' || s[0] > 'z') return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

bool skipped_dir(const std::string& name) {
  return name.empty() || name[0] == '.' || name == "__pycache__" || name == "build" || name == "dist";
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

std::string module_of_include(const std::string& target) {
  constexpr std::string_view prefix = "modgate/";
  if (target.compare(0, prefix.size(), prefix) != 0) return "";
  const std::size_t slash = target.find('/', prefix.size());
  if (slash == std::string::npos) return "";
  std::string name = target.substr(prefix.size(), slash - prefix.size());
  return is_name(name) ? name : "";
}

std::string module_of_import(const std::string& module, const std::string& name) {
  constexpr std::string_view prefix = "modgate.modules";
  if (module == prefix) return is_name(name) ? name : "";
  if (module.compare(0, prefix.size() + 1, std::string(prefix) + ".") != 0) return "";
  const std::string rest = module.substr(prefix.size() + 1);
  std::string head = rest.substr(0, rest.find('.'));
  return is_name(head) ? head : "";
}

std::vector<Reference> references(const std::filesystem::path& root) {
  std::vector<Reference> out;
  std::error_code ec;
  std::filesystem::recursive_directory_iterator it(root, std::filesystem::directory_options::skip_permission_denied,
                                                   ec);
  if (ec) throw std::runtime_error("cannot read " + root.string() + ": " + ec.message());
  for (; it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const auto& entry = *it;
    if (entry.is_directory()) {
      if (skipped_dir(entry.path().filename().string())) it.disable_recursion_pending();
      continue;
    }
    if (!entry.is_regular_file()) continue;
    const std::string ext = entry.path().extension().string();
    const std::string rel = entry.path().lexically_relative(root).generic_string();
    if (ext == ".h" || ext == ".hh" || ext == ".hpp" || ext == ".c" || ext == ".cc" || ext == ".cpp" || ext == ".cxx") {
      for (const auto& inc : scan::includes(read_file(entry.path()))) {
        std::string module = module_of_include(inc.target);
        if (!module.empty()) out.push_back({rel, inc.line, std::move(module), "include"});
      }
    } else if (ext == ".py" || ext == ".pyi") {
      for (const auto& imp : scan::imports(read_file(entry.path()))) {
        std::string module = module_of_import(imp.module, imp.name);
        if (!module.empty()) out.push_back({rel, imp.line, std::move(module), "import"});
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const Reference& a, const Reference& b) {
    return std::tie(a.file, a.line, a.module, a.kind) < std::tie(b.file, b.line, b.module, b.kind);
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const Reference& a, const Reference& b) {
                          return a.file == b.file && a.line == b.line && a.module == b.module && a.kind == b.kind;
                        }),
            out.end());
  return out;
}

}  // namespace modgate::xref

namespace {

modgate::Value references_value(std::string root) {
  modgate::List out;
  for (const auto& ref : modgate::xref::references(root)) {
    out.emplace_back(modgate::List{ref.file, ref.line, ref.module, ref.kind});
  }
  return out;
}

}  // namespace

MODGATE_REGISTER_FUNCTION("xref.references", references_value,
                          "[[file, line, module, kind], ...]: references to modules under a folder.");
