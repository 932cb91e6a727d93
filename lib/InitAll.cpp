//===- InitAll.cpp - Register every dialect and pass qcc uses -------------===//

#include "qcc/InitAll.h"

#include "qcc/Dialect/QC/IR/QCDialect.h"
#include "qcc/Dialect/QC/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"

void qcc::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<qc::QCDialect, mlir::arith::ArithDialect,
                  mlir::func::FuncDialect, mlir::quant::QuantDialect,
                  mlir::tensor::TensorDialect>();
}

void qcc::registerAllPasses() {
  mlir::registerTransformsPasses();
  qc::registerQCPasses();
}
