//===- ApproximateFloatMath.cpp - f32 math functions as polynomials -------===//
//
// Float models' activations (SiLU's sigmoid, GELU's erf, tanh) called
// libm once per element: scalar calls in loops that are otherwise vector
// code. Upstream's polynomial approximations make them arithmetic the loop
// vectorizer handles. Only for float models: integer models' float islands
// stay bit-exact with the interpreter (double precision, libm).
//
//===----------------------------------------------------------------------===//

#include "qcc/Target/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/StringSwitch.h"

namespace qcc::cpu {
#define GEN_PASS_DEF_CPUAPPROXIMATEFLOATMATH
#include "qcc/Target/CPU/Passes.h.inc"
} // namespace qcc::cpu

using namespace mlir;

namespace {

/// The approximations' math.fma and math.floor as LLVM's intrinsics
/// directly: convert-math-to-libm, which runs first in the pipeline, would
/// make them calls of fmaf and floorf, which the loop vectorizer keeps
/// scalar.
template <typename MathOp, typename IntrinsicOp>
struct ToIntrinsic : OpRewritePattern<MathOp> {
  using OpRewritePattern<MathOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(MathOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<IntrinsicOp>(op, op.getType(),
                                             op->getOperands());
    return success();
  }
};

struct CPUApproximateFloatMathPass
    : qcc::cpu::impl::CPUApproximateFloatMathBase<CPUApproximateFloatMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(
        patterns, [](StringRef name) { // the op's name, e.g. math.exp
          return llvm::StringSwitch<bool>(name)
              .Cases({"math.exp", "math.expm1", "math.tanh", "math.erf",
                      "math.log", "math.log1p", "math.log2"},
                     true)
              .Default(false);
        });
    patterns.add<ToIntrinsic<math::FmaOp, LLVM::FMAOp>,
                 ToIntrinsic<math::FloorOp, LLVM::FFloorOp>>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
