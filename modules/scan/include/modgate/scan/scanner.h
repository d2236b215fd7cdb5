// modgate/scan/scanner.h — finding #include lines in C/C++ and imports in Python.
//
// The rules are those of modgate's pure-Python fallback (python/modgate/_sourcescan.py);
// the test suite checks on random input that both give the same answers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace modgate::scan {

struct Include {
  int line;            // 1-based
  std::string target;  // what is between <> or ""
  bool angled;         // <...>
};

struct Import {
  int line;            // 1-based, of the statement's first character
  std::string module;  // dotted; leading dots for a relative import
  std::string name;    // the imported name for `from m import name`, "" for `import m`
};

// Every #include / #include_next / #import with a literal target, skipping comments,
// string literals (raw ones too) and macro includes.
std::vector<Include> includes(std::string_view source);

// Every `import a.b` and `from a import b` statement, skipping comments and strings.
std::vector<Import> imports(std::string_view source);

}  // namespace modgate::scan
