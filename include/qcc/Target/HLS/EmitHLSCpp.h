//===- EmitHLSCpp.h - HLS C++ from loops over static arrays -----*- C++ -*-===//
//
// The HLS target's emitter: a module of functions on statically shaped
// memrefs, with scf loops, arith and math scalar code, memref loads and
// stores, local allocations and constant globals (what qcc-hls-lowering
// leaves), printed as C++ that Vitis HLS synthesizes: integers as
// ap_int<W> of their exact widths (qcc_hls_types.h), arrays of static
// sizes, no allocation, recursion or library containers, and the HLS
// pragmas the loops and arrays carry as attributes (hls.pipeline_ii,
// hls.unroll, hls.partition).
//
//===----------------------------------------------------------------------===//

#ifndef QCC_TARGET_HLS_EMITHLSCPP_H
#define QCC_TARGET_HLS_EMITHLSCPP_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <string>
#include <utility>
#include <vector>

namespace qcc::hls {

/// The files of an emitted design (paths relative to firmware/).
struct EmittedDesign {
  /// model.h: the top function's declaration and its argument types.
  std::string header;
  /// model.cpp: every function, the top last.
  std::string source;
  /// weights/NAME.h for each constant global, as (NAME, text).
  std::vector<std::pair<std::string, std::string>> weights;
  /// The host function and what it calls but the top (tb/host.cpp), and
  /// its C++ signature.
  std::string host, hostSignature;
};

/// Choices of the emitted interface.
struct EmitOptions {
  /// The top's ports as hls::stream of the arrays' elements (row-major),
  /// its body a DATAFLOW region on local copies; the host side calls it
  /// through an adapter feeding and draining the streams.
  bool streamPorts = false;
};

/// Emits `module` with `top` as the top function (its arguments become
/// the design's ports) and, unless empty, `host` (the float side, which
/// calls the top). Fails, with a diagnostic on the op, on anything the
/// emitter does not take (dynamic shapes, views left, unknown ops).
mlir::FailureOr<EmittedDesign> emitHLSCpp(mlir::ModuleOp module,
                                          llvm::StringRef top,
                                          llvm::StringRef host = "",
                                          const EmitOptions &options = {});

/// The C++ type of an element type: ap_int<W> for iW, bool for i1, int
/// for index, float, double.
mlir::FailureOr<std::string> getElementTypeName(mlir::Type type);

} // namespace qcc::hls

#endif // QCC_TARGET_HLS_EMITHLSCPP_H
