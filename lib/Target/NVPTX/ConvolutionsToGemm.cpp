//===- ConvolutionsToGemm.cpp - Integer convolutions as im2col + GEMM -----===//
//
// Tensor cores multiply matrices: an integer convolution reaches them as
// upstream's im2col rewrite, whose product has the batched form
// qcc-gpu-tensor-core-contractions takes.
//
//===----------------------------------------------------------------------===//

#include "qcc/Target/NVPTX/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace qcc::nvptx {
#define GEN_PASS_DEF_GPUCONVOLUTIONSTOGEMM
#include "qcc/Target/NVPTX/Passes.h.inc"
} // namespace qcc::nvptx

using namespace mlir;

namespace {

bool isInt8ToInt32(linalg::Conv2DNchwFchwOp conv) {
  auto elementType = [](Value v) {
    return cast<ShapedType>(v.getType()).getElementType();
  };
  return elementType(conv.getInputs()[0]).isInteger(8) &&
         elementType(conv.getInputs()[1]).isInteger(8) &&
         elementType(conv.getOutputs()[0]).isInteger(32) &&
         conv.hasPureTensorSemantics();
}

struct GPUConvolutionsToGemmPass
    : qcc::nvptx::impl::GPUConvolutionsToGemmBase<GPUConvolutionsToGemmPass> {
  void runOnOperation() override {
    SmallVector<linalg::Conv2DNchwFchwOp> convs;
    getOperation().walk([&](linalg::Conv2DNchwFchwOp conv) {
      if (isInt8ToInt32(conv))
        convs.push_back(conv);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::Conv2DNchwFchwOp conv : convs) {
      rewriter.setInsertionPoint(conv);
      // A convolution im2col does not take (dilations, dynamic shapes)
      // stays as it is: the scalar kernels compute it.
      (void)linalg::rewriteInIm2Col(rewriter, conv);
    }
  }
};

} // namespace
