//===- TargetRegistryTest.cpp - The registry of code generation targets ---===//

#include "qcc/InitAll.h"
#include "qcc/Target/Target.h"

#include <gtest/gtest.h>

using namespace qcc::target;

namespace {

/// A target that builds nothing: what a new target registers.
class FakeTarget : public Target {
public:
  llvm::StringRef getName() const override { return "fake"; }
  llvm::StringRef getDescription() const override { return "for tests"; }
  std::vector<llvm::StringRef> getEmitKinds() const override { return {"x"}; }
  llvm::Error checkOptions(const ArtifactOptions &) const override {
    return llvm::Error::success();
  }
  llvm::Expected<std::string> buildArtifact(mlir::ModuleOp, mlir::func::FuncOp,
                                            const ArtifactOptions &,
                                            llvm::StringRef) const override {
    return std::string("model.x");
  }
  llvm::Expected<std::unique_ptr<qcc::runtime::CompiledModel>>
  load(llvm::StringRef) const override {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "no");
  }
};

TEST(TargetRegistry, LooksUpRegisteredTargetsAndListsThemOnError) {
  qcc::registerAllTargets();
  qcc::registerAllTargets(); // idempotent
  registerTarget(std::make_unique<FakeTarget>());
  EXPECT_EQ(getRegisteredTargetNames(),
            (std::vector<std::string>{"cpu", "fake", "hls", "nvptx"}));
  auto cpu = lookupTarget("cpu");
  ASSERT_TRUE(static_cast<bool>(cpu));
  EXPECT_EQ((*cpu)->getName(), "cpu");
  EXPECT_EQ((*cpu)->getEmitKinds().front(), "so");
  auto fake = lookupTarget("fake");
  ASSERT_TRUE(static_cast<bool>(fake));
  EXPECT_EQ((*fake)->getDescription(), "for tests");
  auto nvptx = lookupTarget("nvptx");
  ASSERT_TRUE(static_cast<bool>(nvptx));
  EXPECT_EQ((*nvptx)->getEmitKinds().front(), "so");
  auto hls = lookupTarget("hls");
  ASSERT_TRUE(static_cast<bool>(hls));
  EXPECT_EQ((*hls)->getEmitKinds().front(), "so");
  auto unknown = lookupTarget("fpga");
  ASSERT_FALSE(static_cast<bool>(unknown));
  EXPECT_EQ(llvm::toString(unknown.takeError()),
            "unknown target 'fpga' (registered: cpu, fake, hls, nvptx)");
}

} // namespace
