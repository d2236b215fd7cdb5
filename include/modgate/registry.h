// modgate/registry.h — the process-wide registry of named functions.
//
// The registry lives in the shared runtime library (libmodgate_runtime), which the
// core extension and every module link, so every part of a process sees one registry.
// Modules add functions when their library loads (see modgate/module.h); the core and
// other modules look them up by name and must handle their absence: a module may be
// switched off.
//
// Each host package has its own namespace: a function is registered under the key
// "<host>:<module>.<function>". Code built as part of a host (its core targets, its
// modules: modgate's CMake defines MODGATE_HOST_NAME for them) may use the short name
// "<module>.<function>", which means its own host's.
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
  std::string name;    // "<host>:<module>.<function>", the registry key
  std::string module;  // "<host>:<module>", the module that registered it
  std::string doc;     // one line
  Function function;
};

// The ABI version the loaded runtime was built with.
MODGATE_RUNTIME_API int runtime_abi_version();

// Adds the key `name` for `module` ("<host>:<module>"). Returns false (and records why in
// registry_errors()) when the key is taken or does not start with "<host>:<module>.".
// MODGATE_REGISTER_FUNCTION (modgate/module.h) calls it with both qualified.
MODGATE_RUNTIME_API bool register_function(std::string name, Function function, std::string doc, std::string module);

// The function registered under the key "<host>:<module>.<function>", or nullptr when
// none is (allow-missing lookup). The pointer stays valid for the life of the process.
// On a miss, the module loader (below) is asked once per module to load that module's
// library, and the lookup is tried again: a built module's function is found whatever
// was imported before. A capability's name mapped by alias_module finds its provider's.
MODGATE_RUNTIME_API const FunctionInfo* find_registered(std::string_view key);

// Makes "<host>:<capability>.<function>" find "<host>:<provider>.<function>" (both given as
// "<host>:<name>"): the run-time choice of a capability of policy "any", which modgate's
// Python side makes once per process. Returns false, changing nothing, when the capability
// is already mapped (the first choice stays) or the mapping would make a cycle.
MODGATE_RUNTIME_API bool alias_module(std::string capability, std::string provider);

// Loads the native library of `module` ("<host>:<module>") when that module is built and
// usable, so its functions register; does nothing otherwise. Each Python extension of a
// host's core installs one when it loads (modgate_core_target adds it); a process without
// one only finds what is already loaded.
using ModuleLoader = void (*)(const std::string& module);

// Installs `loader` (nullptr removes it).
MODGATE_RUNTIME_API void set_module_loader(ModuleLoader loader);

// Every registered key, sorted.
MODGATE_RUNTIME_API std::vector<std::string> function_names();

// Registrations that were refused, one message each.
MODGATE_RUNTIME_API std::vector<std::string> registry_errors();

// The address of the registry object; equal in every library of one process.
MODGATE_RUNTIME_API const void* registry_address();

// Calls the function under `key`; throws std::out_of_range naming it when none is registered.
MODGATE_RUNTIME_API Value call_registered(std::string_view key, const Args& args);

// The registry key of `name`: itself when it names a host ("acme:scan.includes"), else
// "<MODGATE_HOST_NAME>:<name>" in code built as part of a host.
inline std::string registry_key(std::string_view name) {
#ifdef MODGATE_HOST_NAME
  if (name.find(':') == std::string_view::npos) return std::string(MODGATE_HOST_NAME ":") + std::string(name);
#endif
  return std::string(name);
}

// The function registered as `name` ("<module>.<function>" of this code's own host, or
// "<host>:<module>.<function>"), or nullptr when none is (allow-missing lookup).
inline const FunctionInfo* find_function(std::string_view name) { return find_registered(registry_key(name)); }

// Calls `name`; throws std::out_of_range naming the function when it is not registered.
inline Value call(std::string_view name, const Args& args) { return call_registered(registry_key(name), args); }

}  // namespace modgate
