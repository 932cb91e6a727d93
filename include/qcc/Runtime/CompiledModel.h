//===- CompiledModel.h - Loading and running a compiled model ---*- C++ -*-===//
//
// A model compiled by `qcc compile --target cpu` is a directory with
// model.so (the C API of model.h), model.h, provenance.json and the IR it
// was built from. This class loads model.so, checks that it is the model
// the directory describes, and runs it on NumPy arrays with the input
// checks a user needs (names, dtypes, shapes).
//
//===----------------------------------------------------------------------===//

#ifndef QCC_RUNTIME_COMPILEDMODEL_H
#define QCC_RUNTIME_COMPILEDMODEL_H

#include "qcc/Support/CheckedInt.h"
#include "qcc/Support/Npy.h"

#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace qcc::runtime {

/// One input or output of a compiled model. A size of -1 is the batch
/// dimension (dimension 0), chosen per call.
struct TensorSignature {
  std::string name;
  std::vector<int64_t> shape;
  NpyDType dtype = NpyDType::Float32;
};

struct ModelSignature {
  std::vector<TensorSignature> inputs, outputs;
};

/// "[-1, 1, 8, 8]" with "N" for the batch: "[N, 1, 8, 8]".
std::string shapeToString(const std::vector<int64_t> &shape);

/// The bytes the arrays of `tensors` take when the batch (a -1
/// dimension) is `batch`: what running them allocates. A CheckedInt, since
/// the batch comes from a command line or an input file.
CheckedInt bufferBytes(const std::vector<TensorSignature> &tensors,
                       int64_t batch);

class CompiledModel {
public:
  /// Loads `path`: a directory written by qcc compile, or a model.so.
  static llvm::Expected<std::unique_ptr<CompiledModel>>
  load(const std::string &path);
  ~CompiledModel();

  const ModelSignature &signature() const { return signature_; }
  const std::string &provenance() const { return provenance_; }
  const std::string &libraryPath() const { return library_; }
  /// The library's qcc_model_abi_version(): 1 (unchecked runs), 2 or 3.
  int abiVersion() const { return abiVersion_; }
  /// The ISA tier its micro-kernels run on this CPU ("avx512vnni",
  /// "avxvnni", "avx2", "generic"), or "" for a library before ABI 3.
  std::string cpuTier() const;
  /// The copy of the model's code that runs here (an x86-64 level, or the
  /// --cpu it was built for), or "" for a library before ABI 3.
  std::string codeVersion() const;

  /// Runs the model on one array per input (in order, of the signature's
  /// dtypes), all with the same batch size, and returns one array per
  /// output.
  llvm::Expected<std::vector<NpyArray>>
  run(const std::vector<NpyArray> &inputs) const;

  /// The batch size of `inputs`, or an error naming what does not match
  /// the signature.
  llvm::Expected<int64_t>
  checkInputs(const std::vector<NpyArray> &inputs) const;

private:
  CompiledModel() = default;
  struct Api;
  std::unique_ptr<Api> api_;
  void *handle_ = nullptr;
  void *model_ = nullptr;
  int abiVersion_ = 0;
  std::string library_;
  ModelSignature signature_;
  std::string provenance_;
};

} // namespace qcc::runtime

#endif // QCC_RUNTIME_COMPILEDMODEL_H
