//===- Target.h - The NVPTX target ------------------------------*- C++ -*-===//

#ifndef QCC_TARGET_NVPTX_TARGET_H
#define QCC_TARGET_NVPTX_TARGET_H

#include "qcc/Target/Target.h"

#include <memory>

namespace qcc::nvptx {

/// NVIDIA GPUs: qcc-nvptx-lowering to PTX (embedded in the host code and
/// written as model.ptx, with a cubin per architecture when ptxas is
/// present) and host code in a shared library with the C API of model.h,
/// which launches the kernels through the CUDA driver loaded at run time
/// (docs/nvptx.md).
std::unique_ptr<target::Target> createNVPTXTarget();

} // namespace qcc::nvptx

#endif // QCC_TARGET_NVPTX_TARGET_H
