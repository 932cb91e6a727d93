//===- InitAll.cpp - Register every dialect and pass qcc uses -------------===//

#include "qcc/InitAll.h"

#include "qcc/Conversion/Passes.h"
#include "qcc/Dialect/QC/IR/QCDialect.h"
#include "qcc/Dialect/QC/Transforms/Passes.h"
#include "qcc/Target/CPU/Passes.h"
#include "qcc/Target/CPU/Target.h"
#include "qcc/Target/HLS/Passes.h"
#include "qcc/Target/HLS/Target.h"
#include "qcc/Target/NVPTX/Passes.h"
#include "qcc/Target/NVPTX/Target.h"
#include "qcc/Target/Target.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Transforms/Passes.h"

void qcc::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<qc::QCDialect>();
  // Code generation runs upstream pipelines (bufferization, LLVM lowering)
  // whose dialects and interface implementations must all be available.
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // The NVPTX target's lowering translates kernels to LLVM IR and PTX.
  mlir::registerAllToLLVMIRTranslations(registry);
  mlir::NVVM::registerNVVMTargetInterfaceExternalModels(registry);
}

void qcc::registerAllTargets() {
  static const bool registered = [] {
    target::registerTarget(cpu::createCPUTarget());
    target::registerTarget(nvptx::createNVPTXTarget());
    target::registerTarget(hls::createHLSTarget());
    return true;
  }();
  (void)registered;
}

void qcc::registerAllPasses() {
  mlir::registerAllPasses();
  qc::registerQCPasses();
  qc::registerQCPipelines();
  registerQCConversionPasses();
  cpu::registerCPUPassesAndPipelines();
  nvptx::registerNVPTXPassesAndPipelines();
  hls::registerHLSPassesAndPipelines();
}
