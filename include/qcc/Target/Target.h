//===- Target.h - Code generation targets and their registry ----*- C++ -*-===//
//
// The seam between the target-neutral compiler (import, graph IR,
// quantization library, integer lowering) and code generation. A target
// turns a lowered qc module into an artifact in a directory and loads such
// artifacts for `qcc run/eval/bench`. `qcc compile --target NAME` and
// compiled calibration look targets up here; adding a target is a folder
// under lib/Target with a Target subclass and one registerTarget call in
// qcc::registerAllTargets (lib/InitAll.cpp). docs/design.md lists the
// files.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_TARGET_TARGET_H
#define QCC_TARGET_TARGET_H

#include "qcc/Runtime/CompiledModel.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace qcc::target {

/// The FPGA HLS target's choices (qcc compile --target hls; docs/hls.md).
struct HLSOptions {
  /// The clock period in nanoseconds (build_prj.tcl, latency in seconds).
  double clockPeriodNs = 5.0;
  /// The FPGA part (recorded in build_prj.tcl, not checked).
  std::string part = "xcu250-figd2104-2L-e";
  /// "parallel": the top function's ports are arrays; "stream":
  /// hls::stream ports and the layers in a DATAFLOW region.
  std::string io = "parallel";
  /// Products per multiplier (the pipelined loops' initiation interval),
  /// and per-layer values as "NAME=R,...".
  int64_t reuseFactor = 1;
  std::string layerReuseFactors;
  /// Accumulators: "exact" (bit growth per layer) or a width in bits.
  std::string precision = "exact";
};

/// What a compile asks of a target.
struct ArtifactOptions {
  /// The artifact: "so" (a loadable model, the default), or a target's
  /// intermediate form ("obj", "llvm" for the CPU target).
  std::string emit = "so";
  /// Integer convolutions on packed int4 weights read them packed from
  /// this many int8 weight bytes on.
  int64_t packedConvMinBytes = 262144;
  /// The instruction set the artifact is built for (qcc compile --cpu):
  /// the CPU target's portable, native or an x86-64 level. Empty: the
  /// target's default.
  std::string cpu;
  /// The GPU architectures (qcc compile --gpu): comma-separated, e.g.
  /// "sm_80,sm_90". Empty: the target's default; ignored by the CPU target.
  std::string gpu;
  /// JSON recorded in the artifact (what was compiled, from what, how).
  std::string provenance = "{}";
  /// A float model (qcc compile --float): its activations may compute in
  /// f32 with approximated math functions (within float tolerance) rather
  /// than bit for bit as the reference interpreter does.
  bool floatModel = false;
  /// The HLS target's choices; ignored by the others.
  HLSOptions hls;
};

class Target {
public:
  virtual ~Target();

  /// The name `--target` takes, e.g. "cpu".
  virtual llvm::StringRef getName() const = 0;
  /// One line for `--help` and the unknown-target error.
  virtual llvm::StringRef getDescription() const = 0;
  /// The `emit` values the target builds, the default first.
  virtual std::vector<llvm::StringRef> getEmitKinds() const = 0;

  /// An error if the target cannot build what `options` ask for, checked
  /// before any work (quantization can take minutes).
  virtual llvm::Error checkOptions(const ArtifactOptions &options) const = 0;

  /// Lowers `module` (a qc graph, entry `func`) and builds the artifact in
  /// the existing directory `dir`; returns the name of the main file
  /// written (e.g. model.so).
  virtual llvm::Expected<std::string>
  buildArtifact(mlir::ModuleOp module, mlir::func::FuncOp func,
                const ArtifactOptions &options, llvm::StringRef dir) const = 0;

  /// Loads an artifact buildArtifact wrote with emit "so" (its directory
  /// or main file), to run it in this process.
  virtual llvm::Expected<std::unique_ptr<runtime::CompiledModel>>
  load(llvm::StringRef path) const = 0;
};

/// The function a target compiles: @`entry` when given, else @main, else
/// the first function with a body (null when there is none).
mlir::func::FuncOp findEntryFunction(mlir::ModuleOp module,
                                     llvm::StringRef entry);

/// Adds `target` to the registry (a second target of the same name is a
/// programming error).
void registerTarget(std::unique_ptr<Target> target);

/// The registered target called `name`, or an error that lists the
/// registered targets.
llvm::Expected<const Target *> lookupTarget(llvm::StringRef name);

/// The names of the registered targets, sorted.
std::vector<std::string> getRegisteredTargetNames();

} // namespace qcc::target

#endif // QCC_TARGET_TARGET_H
