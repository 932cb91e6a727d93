//===- Target.cpp - The registry of code generation targets ---------------===//

#include "qcc/Target/Target.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"

#include <cassert>
#include <mutex>

using namespace qcc::target;

Target::~Target() = default;

mlir::func::FuncOp qcc::target::findEntryFunction(mlir::ModuleOp module,
                                                  llvm::StringRef entry) {
  if (!entry.empty())
    return module.lookupSymbol<mlir::func::FuncOp>(entry);
  if (auto main = module.lookupSymbol<mlir::func::FuncOp>("main"))
    return main;
  for (auto func : module.getOps<mlir::func::FuncOp>())
    if (!func.isExternal())
      return func;
  return {};
}

namespace {
struct Registry {
  std::mutex mutex;
  llvm::StringMap<std::unique_ptr<Target>> targets;
};
Registry &registry() {
  static Registry instance;
  return instance;
}
} // namespace

void qcc::target::registerTarget(std::unique_ptr<Target> target) {
  Registry &r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  const std::string name = target->getName().str();
  [[maybe_unused]] bool inserted =
      r.targets.try_emplace(name, std::move(target)).second;
  assert(inserted && "two targets of the same name");
}

std::vector<std::string> qcc::target::getRegisteredTargetNames() {
  Registry &r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::vector<std::string> names;
  for (const auto &entry : r.targets)
    names.push_back(entry.getKey().str());
  llvm::sort(names);
  return names;
}

llvm::Expected<const Target *> qcc::target::lookupTarget(llvm::StringRef name) {
  {
    Registry &r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto it = r.targets.find(name);
    if (it != r.targets.end())
      return it->second.get();
  }
  std::vector<std::string> names = getRegisteredTargetNames();
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      "unknown target '" + name + "' (registered: " +
          (names.empty() ? std::string("none") : llvm::join(names, ", ")) +
          ")");
}
