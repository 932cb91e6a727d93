//===- Pipeline.cpp - The HLS target's lowering pipeline ------------------===//

#include "qcc/Target/HLS/Passes.h"

#include "qcc/Conversion/Passes.h"
#include "qcc/Dialect/QC/Transforms/Passes.h"
#include "qcc/Target/CPU/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Affine/Transforms/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace qcc::hls {

void buildHLSLoweringPipeline(OpPassManager &pm,
                              const LoweringOptions &options) {
  pm.addPass(createInlinerPass());
  qc::QCSetBatchSizeOptions batch;
  batch.batchSize = 1;
  pm.addNestedPass<func::FuncOp>(qc::createQCSetBatchSize(batch));
  HLSSplitInterfaceOptions split;
  split.entry = options.entry;
  split.top = options.top;
  pm.addPass(createHLSSplitInterface(split));
  pm.addPass(createConvertQCToLinalg());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createFuseElementwise());
  pm.addNestedPass<func::FuncOp>(createLinalgGeneralizeNamedOpsPass());
  pm.addPass(createCanonicalizerPass());
  HLSNarrowIntegersOptions narrow;
  narrow.accumulatorBits = options.accumulatorBits;
  pm.addNestedPass<func::FuncOp>(createHLSNarrowIntegers(narrow));
  // The width conversions the narrowing inserted between tensors, fused
  // into their producers.
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  pm.addNestedPass<func::FuncOp>(createFuseElementwise());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createHLSFoldReductionInits());
  pm.addPass(createCanonicalizerPass());
  cpu::addBufferizationPasses(pm);
  // Every copy as loops: the design has no memcpy.
  ConvertMemRefCopyToLinalgOptions copies;
  copies.memcpyRows = false;
  copies.allCopies = true;
  pm.addNestedPass<func::FuncOp>(createConvertMemRefCopyToLinalg(copies));
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  // Views (reshapes, pads' windows) folded into the accesses' indices:
  // the design indexes whole arrays.
  pm.addNestedPass<func::FuncOp>(memref::createFoldMemRefAliasOpsPass());
  pm.addNestedPass<func::FuncOp>(affine::createAffineExpandIndexOpsPass());
  pm.addPass(createLowerAffinePass());
  pm.addNestedPass<func::FuncOp>(arith::createArithExpandOpsPass());
  // The index arithmetic of folded views on loop counters, which are never
  // negative: floor divisions as plain ones.
  pm.addPass(arith::createArithIntRangeOpts());
  pm.addPass(arith::createArithUnsignedWhenEquivalentPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  HLSOutlineLayersOptions outline;
  outline.top = options.top;
  pm.addPass(createHLSOutlineLayers(outline));
  HLSScheduleLayersOptions schedule;
  schedule.reuseFactor = options.reuseFactor;
  schedule.layerReuseFactors = options.layerReuseFactors;
  pm.addPass(createHLSScheduleLayers(schedule));
}

void registerHLSPassesAndPipelines() {
  registerQCCHLSPasses();
  struct PipelineOptions : PassPipelineOptions<PipelineOptions> {
    Option<std::string> entry{
        *this, "entry",
        llvm::cl::desc("The entry function (default: @main, else the first "
                       "function with a body)"),
        llvm::cl::init("")};
    Option<std::string> top{*this, "top",
                            llvm::cl::desc("The design's top function"),
                            llvm::cl::init(LoweringOptions().top)};
    Option<int64_t> accumulatorBits{
        *this, "accumulator-bits",
        llvm::cl::desc("Width of every accumulator (0: exact bit growth)"),
        llvm::cl::init(0)};
    Option<int64_t> reuseFactor{*this, "reuse-factor",
                                llvm::cl::desc("Products per multiplier"),
                                llvm::cl::init(1)};
    Option<std::string> layerReuseFactors{
        *this, "layer-reuse-factors",
        llvm::cl::desc("Per-layer reuse factors, NAME=R comma-separated"),
        llvm::cl::init("")};
  };
  PassPipelineRegistration<PipelineOptions>(
      "qcc-hls-lowering",
      "The HLS target's lowering of a qc graph to the loops EmitHLSCpp "
      "prints (what qcc compile --target hls runs)",
      [](OpPassManager &pm, const PipelineOptions &options) {
        LoweringOptions lowering;
        lowering.entry = options.entry;
        lowering.top = options.top;
        lowering.accumulatorBits = options.accumulatorBits;
        lowering.reuseFactor = options.reuseFactor;
        lowering.layerReuseFactors = options.layerReuseFactors;
        buildHLSLoweringPipeline(pm, lowering);
      });
}

} // namespace qcc::hls
