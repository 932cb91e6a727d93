//===- OutputFiles.cpp - Outputs that never clobber their inputs ----------===//

#include "qcc/Support/OutputFiles.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"

using namespace llvm;

Error qcc::checkOutputIsNotAnInput(StringRef output,
                                   ArrayRef<std::string> inputs,
                                   StringRef outputFlag) {
  if (output.empty() || output == "-")
    return Error::success();
  for (const std::string &input : inputs) {
    bool same = false;
    // equivalent() compares device and inode, so links and ./ spellings of
    // the same file are caught; an output that does not exist yet is new.
    if (sys::fs::equivalent(output, input, same) || !same)
      continue;
    return createStringError(inconvertibleErrorCode(),
                             outputFlag + " " + output + " is also an input (" +
                                 input + "); refusing to overwrite it");
  }
  return Error::success();
}

std::string qcc::resolvedPath(StringRef path) {
  SmallString<256> absolute(path);
  sys::fs::make_absolute(absolute);
  sys::path::remove_dots(absolute, /*remove_dot_dot=*/true);
  SmallString<256> real;
  if (!sys::fs::real_path(absolute, real))
    return std::string(real);
  StringRef parent = sys::path::parent_path(absolute);
  if (parent.empty() || parent == absolute)
    return std::string(absolute);
  SmallString<256> resolved(resolvedPath(parent));
  sys::path::append(resolved, sys::path::filename(absolute));
  return std::string(resolved);
}

Expected<std::string> qcc::sha256OfFile(StringRef path) {
  auto buffer = MemoryBuffer::getFile(path);
  if (!buffer)
    return createStringError(buffer.getError(),
                             "cannot read " + path + ": " +
                                 buffer.getError().message());
  auto hash = SHA256::hash(arrayRefFromStringRef((*buffer)->getBuffer()));
  return toHex(hash, /*LowerCase=*/true);
}
