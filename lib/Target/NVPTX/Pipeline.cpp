//===- Pipeline.cpp - The NVPTX target's lowering pipeline ----------------===//

#include "qcc/Target/NVPTX/Passes.h"

#include "qcc/Conversion/Passes.h"
#include "qcc/Dialect/QC/Transforms/Passes.h"
#include "qcc/Target/CPU/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace mlir;

namespace qcc::nvptx {

namespace {

/// What upstream's gpu-lower-to-nvvm-pipeline runs, with libdevice linked
/// into the kernels (math ops become __nv_* calls) and the PTX kept as
/// text in the gpu.binary.
void buildKernelAndHostPipeline(OpPassManager &pm,
                                const LoweringOptions &options) {
  pm.addPass(createConvertNVGPUToNVVMPass());
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertNVVMToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.ptxFeatures;
  target.optLevel = 3;
  if (std::optional<std::string> libdevice = findLibdevice())
    target.linkLibs.push_back(*libdevice);
  pm.addPass(createGpuNVVMAttachTarget(target));
  pm.addPass(createLowerAffinePass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // The kernels.
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertGpuOpsToNVVMOps());
  pm.addNestedPass<gpu::GPUModuleOp>(createCanonicalizerPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createCSEPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createReconcileUnrealizedCastsPass());
  // The host: launches and copies as mgpu* calls, the kernels as PTX.
  pm.addPass(createGpuToLLVMConversionPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa";
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

} // namespace

std::optional<std::string> findLibdevice() {
  SmallVector<std::string> roots;
  for (const char *variable : {"CUDA_HOME", "CUDA_ROOT", "CUDA_PATH"})
    if (const char *root = std::getenv(variable))
      roots.push_back(root);
  roots.push_back("/usr/local/cuda");
  roots.push_back("/usr/lib/cuda");
  for (const std::string &root : roots) {
    llvm::SmallString<256> path(root);
    llvm::sys::path::append(path, "nvvm", "libdevice", "libdevice.10.bc");
    if (llvm::sys::fs::exists(path))
      return std::string(path);
  }
  return std::nullopt;
}

void buildNVPTXLoweringPipeline(OpPassManager &pm,
                                const LoweringOptions &options) {
  // The host side is the CPU target's: the entry and the signature the C
  // API reads (qcc-cpu-prepare-entry), one sample at a time.
  cpu::CPUPrepareEntryOptions prepare;
  prepare.entry = options.entry;
  pm.addPass(cpu::createCPUPrepareEntry(prepare));
  // Kernels are launched from the entry alone.
  pm.addPass(createInlinerPass());
  qc::QCSetBatchSizeOptions batch;
  batch.batchSize = 1;
  pm.addNestedPass<func::FuncOp>(qc::createQCSetBatchSize(batch));
  pm.addPass(createConvertQCToLinalg());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createFuseElementwise());
  pm.addNestedPass<func::FuncOp>(createGPUConvolutionsToGemm());
  pm.addPass(createCanonicalizerPass());
  cpu::addBufferizationPasses(pm);
  // Windows of buffers are copied by kernels too: the host cannot touch
  // device memory.
  ConvertMemRefCopyToLinalgOptions copies;
  copies.memcpyRows = false;
  pm.addNestedPass<func::FuncOp>(createConvertMemRefCopyToLinalg(copies));
  GPUTensorCoreContractionsOptions tensorCores;
  tensorCores.warpsPerBlock = options.warpsPerBlock;
  if (options.tensorCores)
    pm.addNestedPass<func::FuncOp>(
        createGPUTensorCoreContractions(tensorCores));
  if (options.dp4a)
    pm.addNestedPass<func::FuncOp>(createGPUDp4aContractions());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  GPUMapParallelLoopsOptions mapping;
  mapping.blockSize = options.blockSize;
  pm.addNestedPass<func::FuncOp>(createGPUMapParallelLoops(mapping));
  pm.addNestedPass<func::FuncOp>(createConvertParallelLoopToGpuPass());
  if (options.cpuSimulation) {
    pm.addNestedPass<func::FuncOp>(createGPUSequentializeLaunches());
    bufferization::BufferDeallocationPipelineOptions deallocation;
    bufferization::buildBufferDeallocationPipeline(pm, deallocation);
    // The warps' vector code as CPU vector code: transfers fully unrolled
    // into rows, which needs no stack temporaries (an alloca in the loops
    // the launches became would grow the stack at every iteration).
    pm.addPass(createConvertVectorToSCFPass(
        VectorTransferToSCFOptions().enableFullUnroll()));
    pm.addPass(createLowerAffinePass());
    // (As outer products: the default lowering leaves vector.contract of
    // int8 operands into int32 as it is.)
    ConvertVectorToLLVMPassOptions vectorToLLVM;
    vectorToLLVM.vectorContractLowering =
        vector::VectorContractLowering::OuterProduct;
    pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
    cpu::addLoopsToLLVMPasses(pm);
    pm.addPass(createUBToLLVMConversionPass());
  } else {
    pm.addNestedPass<func::FuncOp>(createGPUDeviceBuffers());
    // Constants and index arithmetic the kernels use go into them instead
    // of becoming kernel arguments (constant loop bounds, provable
    // alignments).
    pm.addPass(createGpuLaunchSinkIndexComputationsPass());
    pm.addPass(createGpuKernelOutliningPass());
    pm.addPass(createGPUMergeKernelModules());
    // Each warp's vector code onto mma.sync, with upstream's lane layouts.
    pm.addNestedPass<gpu::GPUModuleOp>(createGPUVectorToMMA());
    pm.addNestedPass<gpu::GPUModuleOp>(createGPUVectorToDp4a());
    // Copies, allocations and launches in order on one stream (what
    // gpu-to-llvm lowers: it takes only asynchronous gpu.alloc and
    // gpu.memcpy).
    pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());
    pm.addPass(createLowerAffinePass());
    pm.addPass(createCanonicalizerPass());
    buildKernelAndHostPipeline(pm, options);
  }
  pm.addPass(cpu::createCPUEmitInvoke());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void registerNVPTXPassesAndPipelines() {
  registerQCCNVPTXPasses();
  struct PipelineOptions : PassPipelineOptions<PipelineOptions> {
    Option<std::string> entry{
        *this, "entry",
        llvm::cl::desc("The entry function (default: @main, else the first "
                       "function with a body)"),
        llvm::cl::init("")};
    Option<std::string> chip{
        *this, "chip", llvm::cl::desc("The GPU architecture of the PTX"),
        llvm::cl::init(LoweringOptions().chip)};
    Option<int64_t> blockSize{*this, "block-size",
                              llvm::cl::desc("Threads per block"),
                              llvm::cl::init(LoweringOptions().blockSize)};
    Option<bool> tensorCores{
        *this, "tensor-cores",
        llvm::cl::desc("int8 matrix products on tensor cores (mma.sync)"),
        llvm::cl::init(LoweringOptions().tensorCores)};
    Option<bool> dp4a{
        *this, "dp4a",
        llvm::cl::desc("The int8 matrix products left as per-thread dp4a "
                       "kernels (sm_61 and later)"),
        llvm::cl::init(LoweringOptions().dp4a)};
    Option<bool> cpuSimulation{
        *this, "cpu-simulation",
        llvm::cl::desc("Run the launches as loops on the CPU (qcc compile "
                       "--emit cpu-sim)"),
        llvm::cl::init(false)};
  };
  PassPipelineRegistration<PipelineOptions>(
      "qcc-nvptx-lowering",
      "The NVPTX target's lowering of a qc graph to PTX and host code in the "
      "LLVM dialect (what qcc compile --target nvptx runs)",
      [](OpPassManager &pm, const PipelineOptions &options) {
        LoweringOptions lowering;
        lowering.entry = options.entry;
        lowering.chip = options.chip;
        lowering.blockSize = options.blockSize;
        lowering.cpuSimulation = options.cpuSimulation;
        lowering.tensorCores = options.tensorCores;
        lowering.dp4a = options.dp4a;
        buildNVPTXLoweringPipeline(pm, lowering);
      });
}

} // namespace qcc::nvptx
