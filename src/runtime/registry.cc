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
  // Modules the loader has answered for: a miss after costs a set lookup. A module is added
  // when its loader returns, so a thread asking while another loads it calls the loader too
  // and gets the answer (the loader's side serialises the load), not a miss.
  std::set<std::string, std::less<>> asked;
  std::map<std::string, std::string, std::less<>> aliases;  // capability -> its provider, chosen at run time
};

// "<host>:<module>.<function>" -> the position of the dot after "<host>:<module>", or npos.
std::size_t module_end(std::string_view key) {
  return key.find('.', key.find(':') == std::string_view::npos ? 0 : key.find(':'));
}

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

bool alias_module(std::string capability, std::string provider) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (capability == provider || r.aliases.count(provider) != 0) return false;   // no cycle
  return r.aliases.emplace(std::move(capability), std::move(provider)).second;  // the first choice stays
}

const FunctionInfo* find_registered(std::string_view key) {
  Registry& r = registry();
  ModuleLoader loader = nullptr;
  std::string module;
  const std::size_t dot = module_end(key);
  {
    std::lock_guard<std::mutex> lock(r.mutex);
    auto found = r.functions.find(key);
    if (found != r.functions.end()) return &found->second;
    // A name with no function part has no module.
    if (dot == std::string_view::npos) return nullptr;
    module = std::string(key.substr(0, dot));
    if (r.aliases.count(module) == 0) {
      if (r.loader == nullptr || r.asked.count(module) != 0) return nullptr;
      loader = r.loader;
    }
  }
  if (loader != nullptr) loader(module);  // outside the lock: the library's functions register while it loads
  std::string target;
  {
    std::lock_guard<std::mutex> lock(r.mutex);
    if (loader != nullptr) r.asked.insert(module);
    auto found = r.functions.find(key);
    if (found != r.functions.end()) return &found->second;
    auto alias = r.aliases.find(module);
    if (alias == r.aliases.end()) return nullptr;
    target = alias->second + std::string(key.substr(dot));
  }
  const FunctionInfo* provided = find_registered(target);
  if (provided == nullptr) return nullptr;
  // Kept under the capability's name too: the next lookup is a plain one.
  std::lock_guard<std::mutex> lock(r.mutex);
  FunctionInfo info{std::string(key), provided->module, provided->doc, provided->function};
  return &r.functions.emplace(std::string(key), std::move(info)).first->second;
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
