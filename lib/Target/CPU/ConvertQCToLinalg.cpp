//===- ConvertQCToLinalg.cpp - convert-qc-to-linalg with micro-kernels ----===//

#include "qcc/Target/CPU/Passes.h"

#include "UkernelPatterns.h"
#include "qcc/Conversion/QCToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace qcc::cpu {
#define GEN_PASS_DEF_CPUCONVERTQCTOLINALG
#include "qcc/Target/CPU/Passes.h.inc"
} // namespace qcc::cpu

using namespace mlir;
using namespace qcc;
using namespace qcc::cpu;

namespace {

struct CPUConvertQCToLinalgPass
    : qcc::cpu::impl::CPUConvertQCToLinalgBase<CPUConvertQCToLinalgPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Packed weights the kernels read as they are stored; then, once the
    // other constant weights are folded (weight-only products dequantized
    // at compile time become f32 constants), the f32 products on them.
    if (singleFloatMath)
      convertFloatBatchedProducts(module);
    convertPackedMatrixProducts(module, packedConvMinBytes);
    foldConstantWeights(module);
    convertPackedMatrixProducts(module, packedConvMinBytes);

    QCStorageTypeConverter converter;
    ConversionTarget target(getContext());
    configureQCToLinalgTarget(target, converter);
    RewritePatternSet patterns(&getContext());
    populateQCToLinalgConversionPatterns(
        converter, patterns,
        singleFloatMath ? FloatMath::Single : FloatMath::Interpreter);
    populateTableLookupPatterns(converter, patterns);
    populateMaxPoolPatterns(converter, patterns);
    if (fuseRequantization) {
      addConvRequantLegality(target);
      populateConvRequantPatterns(converter, patterns);
    }
    if (failed(applyQCToLinalgConversion(module, target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
