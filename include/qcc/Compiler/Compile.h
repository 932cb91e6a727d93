//===- Compile.h - A model compiled into an output directory ----*- C++ -*-===//
//
// What qcc compile does between its flags and its messages: an ONNX model
// (quantized on calibration data for integer-only code) or a quantized
// .mlir is lowered to integer-only code (or, as the float baseline, only
// has its BatchNorms folded) and handed to a target, which builds the
// artifact in a staging directory that replaces the output directory once
// complete, with provenance.json recording what was compiled from what.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_COMPILER_COMPILE_H
#define QCC_COMPILER_COMPILE_H

#include "qcc/Quantization/Quantize.h"
#include "qcc/Target/Target.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <string>
#include <vector>

namespace qcc {

struct CompileOptions {
  std::string model;              // .onnx, or a (quantized) .mlir
  std::vector<std::string> calib; // an ONNX model's calibration files
  std::string calibMethod = "minmax";
  /// Compile the float model as it is (BatchNorm folded; no quantization).
  bool floatModel = false;
  /// The artifact: one of the target's emit kinds, or "mlir" (the integer
  /// IR only).
  std::string emit = "so";
  int64_t packedConvMinBytes = 262144;
  /// The instruction set (the target's --cpu values; empty: its default).
  std::string cpu;
  /// The GPU architectures (the target's --gpu list; empty: its default).
  std::string gpu;
  /// The HLS target's choices (qcc compile --target hls).
  target::HLSOptions hls;
  /// qcc's version and git revision, for provenance.json.
  std::string version, revision;

  /// Quantizes the ONNX model in place with `options` on `calibration` (the
  /// driver prints the report) and returns the float islands left.
  std::function<llvm::Expected<std::vector<std::string>>(
      mlir::ModuleOp, llvm::ArrayRef<NpyArray>,
      const quantization::QuantizeOptions &)>
      quantize;
  /// Receives the float islands of the integer-only code (maybe none).
  std::function<void(llvm::ArrayRef<std::string>)> onFloatIslands;
  /// Receives warnings (an old output that could not be removed).
  std::function<void(const llvm::Twine &)> warn;
};

/// Checks `options` against `target`, compiles into the directory
/// `output` and returns the path of the main file written (model.so,
/// model.o, model.ll or model.mlir) under `output`.
llvm::Expected<std::string> compileModel(const target::Target &target,
                                         const CompileOptions &options,
                                         llvm::StringRef output);

} // namespace qcc

#endif // QCC_COMPILER_COMPILE_H
