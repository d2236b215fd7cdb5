// modgate/xref/xref.h — cross-module references in a source tree.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace modgate::xref {

struct Reference {
  std::string file;    // relative to the scanned root, '/'-separated
  int line;            // 1-based
  std::string module;  // the module referred to
  std::string kind;    // "include" (<modgate/<m>/...>) or "import" (modgate.modules.<m>)
};

// Every reference to a module (a module header included, a module imported) in the C/C++
// and Python files under `root`, sorted by file then line.
std::vector<Reference> references(const std::filesystem::path& root);

// The module a single include target or import refers to, or "" for none.
std::string module_of_include(const std::string& target);
std::string module_of_import(const std::string& module, const std::string& name);

}  // namespace modgate::xref
