//===- OpsMatMul.cpp - ONNX Gemm and MatMul -------------------------------===//
//
// Gemm and MatMul (NumPy matmul shapes with broadcast batch dimensions).
//
//===----------------------------------------------------------------------===//

#include "Ops.h"

using namespace mlir;
using namespace qcc;
using namespace qcc::onnx_import;
using onnx::TensorProto;

namespace qcc::onnx_import {

LogicalResult convertGemm(NodeContext &ctx) {
  ImportedValue *a, *bv;
  Value c;
  if (failed(ctx.inputs({&a, &bv}, {&c})))
    return failure();
  const bool transA = ctx.attrInt("transA", 0) != 0;
  const bool transB = ctx.attrInt("transB", 0) != 0;
  const SymShape &as = a->shape, &bs = bv->shape;
  if (as.size() != 2 || bs.size() != 2)
    return ctx.fail("A and B must be matrices (rank 2)");
  const Dim k1 = as[transA ? 0 : 1], k2 = bs[transB ? 1 : 0];
  if (isStatic(k1) && isStatic(k2) && k1 != k2)
    return ctx.fail("inner dimensions differ: " + llvm::Twine(k1) + " vs " +
                    llvm::Twine(k2));
  SymShape out = {as[transA ? 1 : 0], bs[transB ? 0 : 1]};
  OpBuilder &b = ctx.builder();
  Value result = qc::GemmOp::create(
      b, ctx.loc(), ctx.tensorType(out, a->elementType), a->value,
      bv->value, c, b.getF32FloatAttr(ctx.attrFloat("alpha", 1.0f)),
      b.getF32FloatAttr(ctx.attrFloat("beta", 1.0f)), b.getBoolAttr(transA),
      b.getBoolAttr(transB));
  ctx.setOutput(0, result, out, a->dataType);
  return success();
}

/// numpy.matmul result shape.
FailureOr<SymShape> matmulShape(NodeContext &ctx, SymShape a, SymShape b) {
  if (a.empty() || b.empty())
    return ctx.fail("matmul operands must have rank >= 1");
  const bool aVector = a.size() == 1, bVector = b.size() == 1;
  if (aVector)
    a.insert(a.begin(), 1);
  if (bVector)
    b.push_back(1);
  const Dim k1 = a.back(), k2 = b[b.size() - 2];
  if (isStatic(k1) && isStatic(k2) && k1 != k2)
    return ctx.fail("inner dimensions differ: " + llvm::Twine(k1) + " vs " +
                     llvm::Twine(k2));
  auto batch = broadcast(ctx, SymShape(a.begin(), a.end() - 2),
                         SymShape(b.begin(), b.end() - 2));
  if (failed(batch))
    return failure();
  SymShape out = *batch;
  if (!aVector)
    out.push_back(a[a.size() - 2]);
  if (!bVector)
    out.push_back(b.back());
  return out;
}

LogicalResult convertMatMul(NodeContext &ctx) {
  ImportedValue *a, *b;
  if (failed(ctx.inputs({&a, &b})))
    return failure();
  auto out = matmulShape(ctx, a->shape, b->shape);
  if (failed(out))
    return failure();
  Value result = qc::MatMulOp::create(ctx.builder(), ctx.loc(),
                                      ctx.tensorType(*out, a->elementType),
                                      a->value, b->value);
  ctx.setOutput(0, result, *out, a->dataType);
  return success();
}

} // namespace qcc::onnx_import
