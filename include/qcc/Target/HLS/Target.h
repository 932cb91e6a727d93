//===- Target.h - The FPGA HLS target ---------------------------*- C++ -*-===//

#ifndef QCC_TARGET_HLS_TARGET_H
#define QCC_TARGET_HLS_TARGET_H

#include "qcc/Target/Target.h"

#include <memory>

namespace qcc::hls {

/// FPGAs through high-level synthesis: qcc-hls-lowering to loops with
/// exact integer widths, printed as a Vitis HLS project (firmware/,
/// tb/, build_prj.tcl, report.json), and its C simulation built into a
/// model.so with the C API of model.h (docs/hls.md).
std::unique_ptr<target::Target> createHLSTarget();

/// The header of the HLS types the emitted code uses
/// (lib/Target/HLS/Runtime/qcc_hls_types.h).
llvm::StringRef getHLSTypesHeader();

} // namespace qcc::hls

#endif // QCC_TARGET_HLS_TARGET_H
