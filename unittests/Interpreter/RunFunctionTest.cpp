//===- RunFunctionTest.cpp - runFunction's observer and known values ------===//
//
// Mixed precision measures each layer's sensitivity by re-running only what
// depends on that layer: runFunction takes the values upstream of it from
// an earlier run. These tests pin that contract.
//
//===----------------------------------------------------------------------===//

#include "qcc/Interpreter/Interpreter.h"

#include "qcc/Dialect/QC/IR/QCOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/ADT/DenseMap.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace qcc;

namespace {

constexpr const char *kModel = R"mlir(
func.func @main(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %a = qc.matmul %x, %w : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %r = qc.relu %a : tensor<2x2xf32>
  %b = qc.matmul %r, %w : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %b : tensor<2x2xf32>
}
)mlir";

class RunFunctionTest : public ::testing::Test {
protected:
  RunFunctionTest() {
    context
        .loadDialect<qc::QCDialect, func::FuncDialect, arith::ArithDialect>();
    module = parseSourceString<ModuleOp>(kModel, &context);
  }
  func::FuncOp main() { return *module->getOps<func::FuncOp>().begin(); }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  interp::Tensor input{{2, 2}, {1, -1, 0.5, 2}};
};

TEST_F(RunFunctionTest, KnownUpstreamValuesGiveTheSameResult) {
  ASSERT_TRUE(module);
  llvm::DenseMap<Value, interp::Tensor> seen;
  auto full = interp::runFunction(
      main(), {input}, [&](Value v, const interp::Tensor &t) { seen[v] = t; });
  ASSERT_TRUE(static_cast<bool>(full)) << llvm::toString(full.takeError());
  // Every op before the last matmul known: only that matmul runs.
  Operation *last = &*std::prev(main().getBody().front().end(), 2);
  auto known = [&](Value v) -> const interp::Tensor * {
    if (v.getDefiningOp() == last)
      return nullptr;
    auto it = seen.find(v);
    return it == seen.end() ? nullptr : &it->second;
  };
  auto again = interp::runFunction(main(), {input}, {}, known);
  ASSERT_TRUE(static_cast<bool>(again)) << llvm::toString(again.takeError());
  EXPECT_EQ((*again)[0].data, (*full)[0].data);
}

TEST_F(RunFunctionTest, KnownValuesAreTakenNotRecomputed) {
  ASSERT_TRUE(module);
  // Claim the relu's output is all ones: the last matmul then sums columns
  // of w (4 and 6 in each row), whatever the input.
  Operation *relu = nullptr;
  main().walk([&](qc::ReluOp op) { relu = op; });
  ASSERT_NE(relu, nullptr);
  interp::Tensor ones{{2, 2}, {1, 1, 1, 1}};
  auto result = interp::runFunction(main(), {input}, {}, [&](Value v) {
    return v == relu->getResult(0) ? &ones : nullptr;
  });
  ASSERT_TRUE(static_cast<bool>(result)) << llvm::toString(result.takeError());
  EXPECT_EQ((*result)[0].data, (std::vector<double>{4, 6, 4, 6}));
}

} // namespace
