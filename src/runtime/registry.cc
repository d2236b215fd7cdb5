// The process-wide function registry. It lives only here, in the shared runtime
// library, so that every extension and module library of a process shares it.
#include "modgate/registry.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

namespace modgate {
namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, FunctionInfo, std::less<>> functions;  // nodes never move: pointers stay valid
  std::vector<std::string> errors;
  ModuleLoader loader = nullptr;
  std::set<std::string, std::less<>> asked;  // modules the loader was asked for: once each
};

Registry& registry() {
  // Constructed on first use: module libraries register from static initialisers.
  static Registry* instance = new Registry();  // never destroyed: lookups may outlive static teardown
  return *instance;
}

}  // namespace

int runtime_abi_version() { return MODGATE_ABI_VERSION; }

bool register_function(std::string name, Function function, std::string doc, std::string module) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  const std::string prefix = module + ".";
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) {
    r.errors.push_back("module '" + module + "' tried to register '" + name + "': names must start with '" + prefix +
                       "'");
    return false;
  }
  if (!function) {
    r.errors.push_back("module '" + module + "' registered '" + name + "' without a function");
    return false;
  }
  auto found = r.functions.find(name);
  if (found != r.functions.end()) {
    r.errors.push_back("'" + name + "' is registered twice (by module '" + found->second.module + "' and by '" +
                       module + "'); the first stays");
    return false;
  }
  FunctionInfo info{name, std::move(module), std::move(doc), std::move(function)};
  r.functions.emplace(std::move(name), std::move(info));
  return true;
}

void set_module_loader(ModuleLoader loader) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.loader = loader;
}

const FunctionInfo* find_registered(std::string_view key) {
  Registry& r = registry();
  ModuleLoader loader = nullptr;
  std::string module;
  {
    std::lock_guard<std::mutex> lock(r.mutex);
    auto found = r.functions.find(key);
    if (found != r.functions.end()) return &found->second;
    // "<host>:<module>.<function>" -> "<host>:<module>"; a name with no function part has no module.
    const std::size_t dot = key.find('.', key.find(':') == std::string_view::npos ? 0 : key.find(':'));
    if (r.loader == nullptr || dot == std::string_view::npos) return nullptr;
    module = std::string(key.substr(0, dot));
    if (!r.asked.insert(module).second) return nullptr;  // asked before: a miss costs a set lookup
    loader = r.loader;
  }
  loader(module);  // outside the lock: the library's functions register while it loads
  std::lock_guard<std::mutex> lock(r.mutex);
  auto found = r.functions.find(key);
  return found == r.functions.end() ? nullptr : &found->second;
}

std::vector<std::string> function_names() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::vector<std::string> names;
  names.reserve(r.functions.size());
  for (const auto& entry : r.functions) names.push_back(entry.first);
  return names;
}

std::vector<std::string> registry_errors() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  return r.errors;
}

const void* registry_address() { return &registry(); }

Value call_registered(std::string_view key, const Args& args) {
  const FunctionInfo* info = find_registered(key);
  if (info == nullptr) throw std::out_of_range("no function '" + std::string(key) + "' is registered");
  return info->function(args);
}

}  // namespace modgate
