// scan's functions in the runtime registry, so the core reaches them by name
// ("scan.includes", "scan.imports") without ever including this module's headers.
#include <modgate/module.h>

#include "modgate/scan/scanner.h"

namespace {

modgate::Value includes_value(const std::string& source) {
  const auto found = modgate::scan::includes(source);
  modgate::List out;
  out.reserve(found.size());
  for (const auto& inc : found) out.emplace_back(modgate::List{inc.line, inc.target, inc.angled});
  return out;
}

modgate::Value imports_value(const std::string& source) {
  const auto found = modgate::scan::imports(source);
  modgate::List out;
  out.reserve(found.size());
  for (const auto& imp : found) out.emplace_back(modgate::List{imp.line, imp.module, imp.name});
  return out;
}

}  // namespace

MODGATE_REGISTER_FUNCTION("scan.includes", includes_value,
                          "[[line, target, angled], ...] for each #include in C/C++ source text.");
MODGATE_REGISTER_FUNCTION("scan.imports", imports_value,
                          "[[line, module, name], ...] for each import statement in Python source text.");
