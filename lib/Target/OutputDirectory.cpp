//===- OutputDirectory.cpp - A compile's output directory -----------------===//

#include "qcc/Target/OutputDirectory.h"

#include "qcc/Support/AtomicFile.h"
#include "qcc/Support/OutputFiles.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace llvm;

/// What qcc compile writes: an existing output directory is replaced only
/// when it holds nothing else. ukernel.c, model_api.c: what qcc wrote before
/// the kernels and the C API were prebuilt.
static constexpr StringLiteral kOutputFiles[] = {
    "model.so", "model.h", "model.mlir", "model.quant.mlir", "model.bc",
    "model_api.o", "ukernel.o", "model_api.c", "ukernel.c", "model.o",
    "model.ll", "provenance.json", "model.ptx", "model.fatbin",
    "cuda_launcher.o",
    // The HLS target's project and C simulation.
    "model.hls.mlir", "build_prj.tcl", "report.json", "report.txt",
    "csim_api.cpp", "firmware", "tb", "csim"};

/// Per-architecture files of the NVPTX target: model.sm_90.cubin and its
/// ptxas report model.sm_90.ptxas.txt.
static bool isArchitectureFile(StringRef name) {
  if (!name.consume_front("model.sm_"))
    return false;
  StringRef arch = name.take_while([](char c) { return llvm::isAlnum(c); });
  StringRef rest = name.drop_front(arch.size());
  return !arch.empty() && (rest == ".cubin" || rest == ".ptxas.txt");
}

std::string qcc::target::artifactPath(StringRef dir, StringRef name) {
  SmallString<256> path(dir);
  sys::path::append(path, name);
  return std::string(path);
}

Error qcc::target::writeArtifactText(StringRef path, StringRef text) {
  if (std::error_code ec =
          sys::fs::create_directories(sys::path::parent_path(path)))
    return createStringError(ec, "cannot create the directory of " + path +
                                     ": " + ec.message());
  return qcc::writeFileAtomically(path, [&](raw_ostream &os) {
    os << text;
    return Error::success();
  });
}

std::optional<std::string>
qcc::target::checkOutputDirectory(StringRef target,
                                  ArrayRef<std::string> inputs) {
  const std::string resolved = resolvedPath(target);
  for (const std::string &input : inputs) {
    const std::string in = resolvedPath(input);
    if (in == resolved ||
        StringRef(in).starts_with(resolved + sys::path::get_separator().str()))
      return "the output directory " + target.str() +
             " is or contains the input " + input +
             " (a compile replaces the whole directory)";
  }
  sys::fs::file_status status;
  if (sys::fs::status(target, status, /*follow=*/false))
    return std::nullopt; // Does not exist yet.
  if (sys::fs::is_symlink_file(status))
    return target.str() + " is a symbolic link; give the directory itself";
  if (!sys::fs::is_directory(status))
    return target.str() + " exists and is not a directory";
  std::error_code ec;
  for (sys::fs::directory_iterator it(target, ec), end; it != end && !ec;
       it.increment(ec))
    if (!llvm::is_contained(kOutputFiles, sys::path::filename(it->path())) &&
        !isArchitectureFile(sys::path::filename(it->path())))
      return target.str() + " holds " + it->path() +
             ", which qcc compile does not write; not replacing the "
             "directory (give a new or qcc compile's output directory)";
  if (ec)
    return "cannot list " + target.str() + ": " + ec.message();
  return std::nullopt;
}

/// A new directory `<parent of target>/.<name of target>.<tag>-XXXXXX`:
/// on the target's file system, so that renames between them are atomic.
static Expected<std::string> siblingDirectory(StringRef target, StringRef tag) {
  SmallString<256> prefix(sys::path::parent_path(target));
  sys::path::append(prefix, "." + sys::path::filename(target) + "." + tag);
  SmallString<256> dir;
  if (std::error_code ec = sys::fs::createUniqueDirectory(prefix, dir))
    return createStringError(ec, "cannot create a directory next to " + target +
                                     ": " + ec.message());
  return std::string(dir);
}

Expected<std::unique_ptr<qcc::target::StagingDirectory>>
qcc::target::StagingDirectory::create(StringRef output) {
  // Absolute, without "." or a trailing separator: the name of the entry
  // replaced, in a parent directory that exists.
  SmallString<256> target(output);
  sys::fs::make_absolute(target);
  sys::path::remove_dots(target, /*remove_dot_dot=*/true);
  StringRef parent = sys::path::parent_path(target);
  if (std::error_code ec = sys::fs::create_directories(parent))
    return createStringError(ec,
                             "cannot create " + parent + ": " + ec.message());
  auto staging = siblingDirectory(target, "qcc-compile");
  if (!staging)
    return staging.takeError();
  std::unique_ptr<StagingDirectory> dir(
      new StagingDirectory(std::string(target), *staging));
  // Unique directories are created private; the output gets mkdir's
  // permissions.
  if (std::error_code ec = sys::fs::setPermissions(
          *staging,
          static_cast<sys::fs::perms>(sys::fs::all_all & ~sys::fs::getUmask())))
    return createStringError(ec, "cannot set the permissions of " + *staging +
                                     ": " + ec.message());
  return dir;
}

qcc::target::StagingDirectory::~StagingDirectory() {
  if (!committed)
    sys::fs::remove_directories(staging);
}

Error qcc::target::StagingDirectory::commit(
    function_ref<void(const Twine &)> warn) {
  auto failed = [&](std::error_code ec) {
    return createStringError(ec, "cannot rename " + staging + " to " + target +
                                     ": " + ec.message());
  };
  if (!sys::fs::exists(target)) {
    if (std::error_code ec = sys::fs::rename(staging, target))
      return failed(ec);
    committed = true;
    return Error::success();
  }
  auto aside = siblingDirectory(target, "qcc-old");
  if (!aside)
    return aside.takeError();
  // rename(2) replaces the empty directory just created.
  if (std::error_code ec = sys::fs::rename(target, *aside)) {
    sys::fs::remove(*aside);
    return failed(ec);
  }
  if (std::error_code ec = sys::fs::rename(staging, target)) {
    sys::fs::rename(*aside, target);
    return failed(ec);
  }
  committed = true;
  if (std::error_code ec = sys::fs::remove_directories(*aside))
    warn("cannot remove the old output " + *aside + ": " + ec.message());
  return Error::success();
}
