//===- FuzzImport.h - The importer's fuzz target ----------------*- C++ -*-===//

#ifndef QCC_TOOLS_FUZZIMPORT_H
#define QCC_TOOLS_FUZZIMPORT_H

#include <cstddef>
#include <cstdint>

namespace qcc::fuzz {

enum class Outcome {
  Rejected, // the importer gave an error (the expected case for junk)
  Imported, // imported and verified; the interpreter gave an error
  Ran,      // imported, verified and interpreted
};

/// Runs one input through import, verification and the interpreter.
/// Aborts on a finding (e.g. an import that produces invalid IR).
Outcome runOne(const uint8_t *data, size_t size);

/// Removes the scratch directory runOne writes the model file to.
void removeScratchDirectory();

} // namespace qcc::fuzz

#endif // QCC_TOOLS_FUZZIMPORT_H
