// modgate/registry.h — the process-wide registry of named functions.
//
// The registry lives in the shared runtime library (libmodgate_runtime), which the
// core extension and every module link, so every part of a process sees one registry.
// Modules add functions when their library loads (see modgate/module.h); the core and
// other modules look them up by name and must handle their absence: a module may be
// switched off.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "modgate/abi.h"
#include "modgate/value.h"

namespace modgate {

using Args = std::vector<Value>;
using Function = std::function<Value(const Args&)>;

struct FunctionInfo {
  std::string name;    // "<module>.<function>"
  std::string module;  // the module that registered it
  std::string doc;     // one line
  Function function;
};

// The ABI version the loaded runtime was built with.
MODGATE_RUNTIME_API int runtime_abi_version();

// Adds `name`. Returns false (and records why in registry_errors()) when the name is
// taken or does not start with "<module>.".
MODGATE_RUNTIME_API bool register_function(std::string name, Function function, std::string doc,
                                           std::string module);

// The function registered as `name`, or nullptr when none is (allow-missing lookup).
// The pointer stays valid for the life of the process.
MODGATE_RUNTIME_API const FunctionInfo* find_function(std::string_view name);

// Every registered name, sorted.
MODGATE_RUNTIME_API std::vector<std::string> function_names();

// Registrations that were refused, one message each.
MODGATE_RUNTIME_API std::vector<std::string> registry_errors();

// The address of the registry object; equal in every library of one process.
MODGATE_RUNTIME_API const void* registry_address();

// Calls `name`; throws std::out_of_range naming the function when it is not registered.
MODGATE_RUNTIME_API Value call(std::string_view name, const Args& args);

}  // namespace modgate
