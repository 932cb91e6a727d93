//===- OutputDirectory.h - A compile's output directory ---------*- C++ -*-===//
//
// qcc compile writes its artifacts into a directory that is replaced whole:
// built next to its place and renamed into it once complete, so that a
// failed compile leaves the old model (never a mix of its files and new
// ones) and no partial directory.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_TARGET_OUTPUTDIRECTORY_H
#define QCC_TARGET_OUTPUTDIRECTORY_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <optional>
#include <string>

namespace qcc::target {

/// `dir`/`name`: a file of an artifact.
std::string artifactPath(llvm::StringRef dir, llvm::StringRef name);

/// Writes `text` to `path` atomically (a partial file never appears under
/// its name), creating its directory first.
llvm::Error writeArtifactText(llvm::StringRef path, llvm::StringRef text);

/// Why `target` cannot be the output directory, if it cannot: it is or
/// holds an input, or it exists and is not a directory qcc compile wrote
/// (`-o ~` must not delete a home directory).
std::optional<std::string>
checkOutputDirectory(llvm::StringRef target,
                     llvm::ArrayRef<std::string> inputs);

/// A new, empty directory next to the output directory (on its file system,
/// with mkdir's permissions) that commit() makes the output; removed unless
/// committed.
class StagingDirectory {
public:
  /// Creates the directory (and the output's parent directories).
  static llvm::Expected<std::unique_ptr<StagingDirectory>>
  create(llvm::StringRef target);
  ~StagingDirectory();

  const std::string &path() const { return staging; }

  /// Renames the directory to the output, an old output aside first and
  /// removed after: the output is at all times either the complete old or
  /// the complete new one (or briefly absent). Failing to remove the old
  /// one is only a warning.
  llvm::Error commit(llvm::function_ref<void(const llvm::Twine &)> warn);

private:
  StagingDirectory(std::string target, std::string staging)
      : target(std::move(target)), staging(std::move(staging)) {}
  std::string target, staging;
  bool committed = false;
};

} // namespace qcc::target

#endif // QCC_TARGET_OUTPUTDIRECTORY_H
