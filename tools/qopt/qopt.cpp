//===- qopt.cpp - mlir-opt with the qc dialect and qcc's passes -----------===//

#include "qcc/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  qcc::registerAllDialects(registry);
  qcc::registerAllPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "qopt: the qcc optimizer (mlir-opt with qcc's dialects and "
                  "passes)\n",
      registry));
}
