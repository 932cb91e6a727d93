//===- OpsShape.cpp - ONNX shape and data-movement ops --------------------===//
//
// Reshape/Flatten/Squeeze/Unsqueeze (all qc.reshape), Shape, Gather,
// Concat, Split, Slice, Transpose, Pad, Constant and Identity. Shape
// subgraphs fold into import-time literals (symbolic dimensions included).
//
//===----------------------------------------------------------------------===//

#include "Ops.h"

#include "TensorData.h"

#include "qcc/Support/CheckedInt.h"

#include <numeric>

using namespace mlir;
using namespace qcc;
using namespace qcc::onnx_import;
using onnx::TensorProto;

namespace qcc::onnx_import {

/// Sets output 0 to `input` reshaped to `shape`, folding literals.
static LogicalResult emitReshape(NodeContext &ctx, ImportedValue &input,
                          const SymShape &shape) {
  if (input.literal) {
    Literal folded = *input.literal;
    folded.shape.clear();
    for (Dim d : shape) {
      if (!isStatic(d))
        break;
      folded.shape.push_back(d);
    }
    if (folded.shape.size() == shape.size()) {
      setLiteralOutput(ctx, 0, std::move(folded));
      return success();
    }
  }
  if (!input.value &&
      failed(ctx.importer.materialize(input, ctx.node.input(0))))
    return failure();
  auto result = reshapeTo(ctx, input.value, shape, input.elementType);
  if (failed(result))
    return failure();
  ctx.setOutput(0, *result, shape, input.dataType);
  return success();
}

LogicalResult convertReshape(NodeContext &ctx) {
  ImportedValue *x;
  if (failed(ctx.inputs({&x}, {}, /*materialize=*/false)))
    return failure();
  auto target = ctx.constant(1, "the target shape", /*allowSymbolic=*/true);
  if (failed(target))
    return failure();
  const bool allowZero = ctx.version >= 14 && ctx.attrInt("allowzero", 0);
  SymShape shape;
  int inferred = -1;
  for (size_t i = 0; i < target->values.size(); ++i) {
    Dim d = target->dimAt(i);
    if (d == -1 && (target->symbols.empty() || target->symbols[i] == 0)) {
      if (inferred >= 0)
        return ctx.fail("the target shape has more than one -1");
      inferred = i;
      shape.push_back(0); // Placeholder.
      continue;
    }
    if (d == 0 && !allowZero &&
        (target->symbols.empty() || target->symbols[i] == 0)) {
      if (i >= x->shape.size())
        return ctx.fail("target shape entry 0 at position " + llvm::Twine(i) +
                        " has no input dimension to copy");
      d = x->shape[i];
    }
    if (isStatic(d) && d < 0)
      return ctx.fail("invalid target dimension " + llvm::Twine(d));
    shape.push_back(d);
  }
  // Infer -1 from the element count, cancelling equal symbols.
  SmallVector<Dim> inSymbols, outSymbols;
  for (Dim d : x->shape)
    if (!isStatic(d))
      inSymbols.push_back(d);
  for (auto [i, d] : llvm::enumerate(shape))
    if (static_cast<int>(i) != inferred && !isStatic(d))
      outSymbols.push_back(d);
  llvm::sort(inSymbols);
  llvm::sort(outSymbols);
  const bool symbolsMatch = inSymbols == outSymbols;
  int64_t inCount = staticProduct(x->shape); // bounded by the element limit
  CheckedInt checkedOutCount = 1; // the target shape comes from the file
  for (auto [i, d] : llvm::enumerate(shape))
    if (static_cast<int>(i) != inferred && isStatic(d))
      checkedOutCount = checkedOutCount * d;
  if (checkedOutCount.overflowed())
    return ctx.fail("the target shape's element count overflows int64");
  const int64_t outCount = *checkedOutCount.get();
  if (inferred >= 0) {
    if (symbolsMatch) {
      if (outCount == 0 || inCount % outCount != 0)
        return ctx.fail("cannot infer -1: " + llvm::Twine(inCount) +
                        " elements do not divide by " + llvm::Twine(outCount));
      shape[inferred] = inCount / outCount;
    } else {
      shape[inferred] = ctx.freshSymbol();
    }
  } else if (symbolsMatch && inCount != outCount) {
    return ctx.fail("cannot reshape " + llvm::Twine(inCount) +
                    " elements into " + llvm::Twine(outCount));
  }
  return emitReshape(ctx, *x, shape);
}

LogicalResult convertFlatten(NodeContext &ctx) {
  ImportedValue *x;
  if (failed(ctx.inputs({&x}, {}, /*materialize=*/false)))
    return failure();
  const int64_t rank = x->shape.size();
  int64_t axis = ctx.attrInt("axis", 1);
  if (axis < -rank || axis > rank)
    return ctx.fail("axis " + llvm::Twine(axis) + " is out of range");
  if (axis < 0)
    axis += rank;
  auto collapse = [&](llvm::ArrayRef<Dim> dims) -> Dim {
    Dim symbol = 0;
    for (Dim d : dims)
      if (!isStatic(d))
        symbol = symbol ? ctx.freshSymbol() : d;
    return symbol ? (staticProduct(dims) == 1 && dims.size() >= 1
                         ? symbol
                         : ctx.freshSymbol())
                  : staticProduct(dims);
  };
  llvm::ArrayRef<Dim> dims(x->shape);
  SymShape shape = {collapse(dims.take_front(axis)),
                    collapse(dims.drop_front(axis))};
  return emitReshape(ctx, *x, shape);
}

/// Reads Squeeze/Unsqueeze axes from the attribute (< 13) or input 1.
static FailureOr<std::vector<int64_t>> readAxes(NodeContext &ctx,
                                                bool required) {
  if (ctx.version < 13)
    return ctx.attrInts("axes");
  if (!ctx.hasInput(1)) {
    if (required)
      return ctx.fail("missing axes");
    return std::vector<int64_t>();
  }
  return ctx.constantInts(1, "axes");
}

LogicalResult convertSqueeze(NodeContext &ctx) {
  ImportedValue *x;
  if (failed(ctx.inputs({&x}, {}, /*materialize=*/false)))
    return failure();
  auto axes = readAxes(ctx, /*required=*/false);
  if (failed(axes))
    return failure();
  const int64_t rank = x->shape.size();
  std::vector<bool> drop(rank, false);
  if (axes->empty()) {
    for (int64_t i = 0; i < rank; ++i) {
      if (!isStatic(x->shape[i]))
        return ctx.unsupported("Squeeze without axes on a dynamic dimension");
      drop[i] = x->shape[i] == 1;
    }
  }
  for (int64_t a : *axes) {
    auto n = ctx.normalizeAxis(a, rank);
    if (failed(n))
      return failure();
    if (isStatic(x->shape[*n]) && x->shape[*n] != 1)
      return ctx.fail("cannot squeeze dimension " + llvm::Twine(*n) +
                      " of size " + llvm::Twine(x->shape[*n]));
    drop[*n] = true;
  }
  SymShape shape;
  for (int64_t i = 0; i < rank; ++i)
    if (!drop[i])
      shape.push_back(x->shape[i]);
  return emitReshape(ctx, *x, shape);
}

LogicalResult convertUnsqueeze(NodeContext &ctx) {
  ImportedValue *x;
  if (failed(ctx.inputs({&x}, {}, /*materialize=*/false)))
    return failure();
  auto axes = readAxes(ctx, /*required=*/true);
  if (failed(axes))
    return failure();
  const int64_t rank = x->shape.size() + axes->size();
  std::vector<bool> inserted(rank, false);
  for (int64_t a : *axes) {
    auto n = ctx.normalizeAxis(a, rank);
    if (failed(n))
      return failure();
    if (inserted[*n])
      return ctx.fail("axis " + llvm::Twine(a) + " is repeated");
    inserted[*n] = true;
  }
  SymShape shape;
  size_t next = 0;
  for (int64_t i = 0; i < rank; ++i)
    shape.push_back(inserted[i] ? 1 : x->shape[next++]);
  return emitReshape(ctx, *x, shape);
}

LogicalResult convertShape(NodeContext &ctx) {
  ImportedValue *x;
  if (failed(ctx.inputs({&x}, {}, /*materialize=*/false)))
    return failure();
  const int64_t rank = x->shape.size();
  int64_t start = ctx.version >= 15 ? ctx.attrInt("start", 0) : 0;
  int64_t end = ctx.version >= 15 ? ctx.attrInt("end", rank) : rank;
  auto clamp = [&](int64_t v) {
    if (v < 0)
      v += rank;
    return std::clamp<int64_t>(v, 0, rank);
  };
  start = clamp(start);
  end = clamp(end);
  Literal literal;
  literal.dataType = TensorProto::INT64;
  bool symbolic = false;
  for (int64_t i = start; i < end; ++i) {
    const Dim d = x->shape[i];
    literal.values.push_back(isStatic(d) ? d : 0);
    literal.symbols.push_back(isStatic(d) ? 0 : d);
    symbolic |= !isStatic(d);
  }
  if (!symbolic)
    literal.symbols.clear();
  literal.shape = {static_cast<int64_t>(literal.values.size())};
  setLiteralOutput(ctx, 0, std::move(literal));
  return success();
}

/// Gathers from a literal (shape arithmetic), keeping symbols.
static std::optional<Literal> foldGather(const Literal &data,
                                         const Literal &indices, int64_t axis) {
  if (data.shape.size() != 1 || axis != 0 || !indices.isFullyKnown())
    return std::nullopt;
  Literal out;
  out.dataType = data.dataType;
  out.shape = indices.shape;
  const int64_t n = data.numElements();
  bool symbolic = false;
  for (double index : indices.values) {
    int64_t i = saturatingInt64(index);
    if (i < 0)
      i += n;
    if (i < 0 || i >= n)
      return std::nullopt;
    out.values.push_back(data.values[i]);
    out.symbols.push_back(data.symbols.empty() ? 0 : data.symbols[i]);
    symbolic |= out.symbols.back() != 0;
  }
  if (!symbolic)
    out.symbols.clear();
  return out;
}

LogicalResult convertGather(NodeContext &ctx) {
  ImportedValue *data, *indices;
  if (failed(ctx.inputs({&data, &indices}, {}, /*materialize=*/false)))
    return failure();
  auto axis = ctx.normalizeAxis(ctx.attrInt("axis", 0), data->shape.size());
  if (failed(axis))
    return failure();
  if (data->literal && (indices->literal || indices->initializer)) {
    auto index = ctx.constant(1, "indices");
    if (failed(index))
      return failure();
    if (std::optional<Literal> folded =
            foldGather(*data->literal, *index, *axis)) {
      setLiteralOutput(ctx, 0, std::move(*folded));
      return success();
    }
  }
  ImportedValue *iv;
  if (failed(ctx.inputs({&data, &iv})))
    return failure();
  if (!iv->elementType.isInteger(32) && !iv->elementType.isInteger(64))
    return ctx.fail("indices must be int32 or int64");
  SymShape out(data->shape.begin(), data->shape.begin() + *axis);
  out.append(iv->shape.begin(), iv->shape.end());
  out.append(data->shape.begin() + *axis + 1, data->shape.end());
  Value result = qc::GatherOp::create(
      ctx.builder(), ctx.loc(), ctx.tensorType(out, data->elementType),
      data->value, iv->value, ctx.builder().getI64IntegerAttr(*axis));
  ctx.setOutput(0, result, out, data->dataType);
  return success();
}

LogicalResult convertConcat(NodeContext &ctx) {
  if (ctx.numInputs() == 0)
    return ctx.fail("no inputs");
  ImportedValue *first;
  if (failed(ctx.inputs({&first}, {}, /*materialize=*/false)))
    return failure();
  const int64_t rank = first->shape.size();
  auto axis = ctx.normalizeAxis(ctx.attrInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  // Fold 1-d literals (shape vectors).
  bool allLiteral = rank == 1;
  for (size_t i = 0; i < ctx.numInputs() && allLiteral; ++i) {
    ImportedValue *v = ctx.hasInput(i) ? ctx.lookup(i) : nullptr;
    if (v && !v->literal && v->initializer &&
        failed(ctx.importer.decodeLiteral(*v, ctx.node.input(i))))
      return failure();
    allLiteral = v && v->literal;
  }
  if (allLiteral) {
    Literal out;
    out.dataType = first->dataType;
    bool symbolic = false;
    for (size_t i = 0; i < ctx.numInputs(); ++i) {
      const Literal &l = *ctx.lookup(i)->literal;
      for (int64_t j = 0; j < l.numElements(); ++j) {
        out.values.push_back(l.values[j]);
        out.symbols.push_back(l.symbols.empty() ? 0 : l.symbols[j]);
        symbolic |= out.symbols.back() != 0;
      }
    }
    if (!symbolic)
      out.symbols.clear();
    out.shape = {static_cast<int64_t>(out.values.size())};
    setLiteralOutput(ctx, 0, std::move(out));
    return success();
  }
  SmallVector<Value> operands;
  SymShape out = first->shape;
  Dim total = 0;
  for (size_t i = 0; i < ctx.numInputs(); ++i) {
    auto v = ctx.input(i);
    if (failed(v))
      return failure();
    if (static_cast<int64_t>((*v)->shape.size()) != rank ||
        (*v)->elementType != first->elementType)
      return ctx.fail("input #" + llvm::Twine(i) +
                      " differs in rank or element type");
    const Dim d = (*v)->shape[*axis];
    total = (isStatic(total) && isStatic(d)) ? total + d : ctx.freshSymbol();
    operands.push_back((*v)->value);
  }
  out[*axis] = total;
  Value result = qc::ConcatOp::create(
      ctx.builder(), ctx.loc(), ctx.tensorType(out, first->elementType),
      operands, ctx.builder().getI64IntegerAttr(*axis));
  ctx.setOutput(0, result, out, first->dataType);
  return success();
}

LogicalResult convertSplit(NodeContext &ctx) {
  ImportedValue *x;
  if (failed(ctx.inputs({&x})))
    return failure();
  const int64_t rank = x->shape.size();
  auto axis = ctx.normalizeAxis(ctx.attrInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  const Dim dim = x->shape[*axis];
  if (!isStatic(dim))
    return ctx.unsupported("Split along a dynamic dimension");
  std::vector<int64_t> sizes;
  if (ctx.version < 13) {
    sizes = ctx.attrInts("split");
  } else if (ctx.hasInput(1)) {
    auto v = ctx.constantInts(1, "split");
    if (failed(v))
      return failure();
    sizes = *v;
  }
  const int64_t outputs = ctx.numOutputs();
  if (sizes.empty()) {
    const int64_t parts =
        ctx.version >= 18 && ctx.hasAttr("num_outputs")
            ? ctx.attrInt("num_outputs", outputs)
            : outputs;
    if (parts < 1 || parts != outputs)
      return ctx.fail("num_outputs does not match the node's outputs");
    if (ctx.version >= 18) {
      const int64_t chunk = (dim + parts - 1) / parts;
      for (int64_t i = 0; i < parts; ++i)
        sizes.push_back(std::max<int64_t>(0, std::min(chunk, dim - i * chunk)));
    } else {
      if (dim % parts != 0)
        return ctx.fail("dimension " + llvm::Twine(dim) +
                        " does not split evenly into " + llvm::Twine(parts));
      sizes.assign(parts, dim / parts);
    }
  }
  if (static_cast<int64_t>(sizes.size()) != outputs ||
      std::accumulate(sizes.begin(), sizes.end(), int64_t{0}) != dim ||
      llvm::any_of(sizes, [](int64_t s) { return s < 0; }))
    return ctx.fail("split sizes must be " + llvm::Twine(outputs) +
                    " non-negative values adding up to " + llvm::Twine(dim));
  SmallVector<Type> types;
  SmallVector<SymShape> shapes;
  for (int64_t s : sizes) {
    SymShape shape = x->shape;
    shape[*axis] = s;
    types.push_back(ctx.tensorType(shape, x->elementType));
    shapes.push_back(shape);
  }
  auto split = qc::SplitOp::create(ctx.builder(), ctx.loc(), types, x->value,
                                   ctx.builder().getI64IntegerAttr(*axis));
  for (int64_t i = 0; i < outputs; ++i)
    ctx.setOutput(i, split.getResult(i), shapes[i], x->dataType);
  return success();
}

/// ONNX Slice clamping of one axis; returns the output size.
static int64_t sliceSize(int64_t dim, int64_t &start, int64_t &end,
                         int64_t step) {
  auto clampIndex = [&](int64_t v, int64_t lo, int64_t hi) {
    if (v < 0)
      v += dim;
    return std::clamp(v, lo, hi);
  };
  if (step > 0) {
    start = clampIndex(start, 0, dim);
    end = clampIndex(end, 0, dim);
    return end > start ? (end - start + step - 1) / step : 0;
  }
  start = clampIndex(start, 0, dim - 1);
  end = clampIndex(end, -1, dim - 1);
  return start > end ? (start - end - step - 1) / -step : 0;
}

/// ONNX's "to the end" markers arrive as +-2^63 in doubles.
static int64_t toIndex(double v) { return saturatingInt64(v); }

LogicalResult convertSlice(NodeContext &ctx) {
  ImportedValue *x;
  if (failed(ctx.inputs({&x}, {}, /*materialize=*/false)))
    return failure();
  const int64_t rank = x->shape.size();
  std::vector<int64_t> starts, ends, axes, steps;
  if (ctx.version < 10) {
    starts = ctx.attrInts("starts");
    ends = ctx.attrInts("ends");
    axes = ctx.attrInts("axes");
  } else {
    for (auto [i, what, out] :
         {std::tuple<size_t, const char *, std::vector<int64_t> *>{
              1, "starts", &starts},
          {2, "ends", &ends},
          {3, "axes", &axes},
          {4, "steps", &steps}}) {
      if (!ctx.hasInput(i))
        continue;
      auto literal = ctx.constant(i, what);
      if (failed(literal))
        return failure();
      for (double v : literal->values)
        out->push_back(toIndex(v));
    }
  }
  if (starts.size() != ends.size())
    return ctx.fail("starts and ends differ in length");
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (axes.size() != starts.size() || steps.size() != starts.size())
    return ctx.fail("starts, ends, axes and steps differ in length");
  std::vector<int64_t> fullStarts(rank, 0), fullEnds(rank, INT64_MAX),
      fullSteps(rank, 1);
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < axes.size(); ++i) {
    auto axis = ctx.normalizeAxis(axes[i], rank);
    if (failed(axis))
      return failure();
    if (seen[*axis])
      return ctx.fail("axis " + llvm::Twine(*axis) + " is repeated");
    seen[*axis] = true;
    if (steps[i] == 0)
      return ctx.fail("steps must not be 0");
    fullStarts[*axis] = starts[i];
    fullEnds[*axis] = ends[i];
    fullSteps[*axis] = steps[i];
  }
  SymShape out;
  for (int64_t i = 0; i < rank; ++i) {
    const Dim d = x->shape[i];
    if (!isStatic(d)) {
      out.push_back(seen[i] ? ctx.freshSymbol() : d);
      continue;
    }
    int64_t s = fullStarts[i], e = fullEnds[i];
    out.push_back(sliceSize(d, s, e, fullSteps[i]));
  }
  // Fold 1-d literal slices (shape arithmetic).
  if (x->literal && rank == 1) {
    int64_t s = fullStarts[0], e = fullEnds[0];
    const int64_t n = sliceSize(x->literal->numElements(), s, e, fullSteps[0]);
    Literal folded;
    folded.dataType = x->literal->dataType;
    bool symbolic = false;
    for (int64_t k = 0, idx = s; k < n; ++k, idx += fullSteps[0]) {
      folded.values.push_back(x->literal->values[idx]);
      folded.symbols.push_back(
          x->literal->symbols.empty() ? 0 : x->literal->symbols[idx]);
      symbolic |= folded.symbols.back() != 0;
    }
    if (!symbolic)
      folded.symbols.clear();
    folded.shape = {n};
    setLiteralOutput(ctx, 0, std::move(folded));
    return success();
  }
  if (failed(ctx.inputs({&x})))
    return failure();
  Value result = qc::SliceOp::create(
      ctx.builder(), ctx.loc(), ctx.tensorType(out, x->elementType), x->value,
      i64Array(ctx, fullStarts), i64Array(ctx, fullEnds),
      i64Array(ctx, fullSteps));
  ctx.setOutput(0, result, out, x->dataType);
  return success();
}

LogicalResult convertTranspose(NodeContext &ctx) {
  ImportedValue *x;
  if (failed(ctx.inputs({&x})))
    return failure();
  const int64_t rank = x->shape.size();
  std::vector<int64_t> perm = ctx.attrInts("perm");
  if (perm.empty())
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  if (static_cast<int64_t>(perm.size()) != rank)
    return ctx.fail("perm has " + llvm::Twine(perm.size()) +
                    " entries for rank " + llvm::Twine(rank));
  std::vector<bool> seen(rank, false);
  SymShape out;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[p])
      return ctx.fail("perm is not a permutation");
    seen[p] = true;
    out.push_back(x->shape[p]);
  }
  // Folds transposes of constants (qc.transpose's folder).
  Value result = ctx.builder().createOrFold<qc::TransposeOp>(
      ctx.loc(), ctx.tensorType(out, x->elementType), x->value,
      i64Array(ctx, perm));
  ctx.setOutput(0, result, out, x->dataType);
  return success();
}

LogicalResult convertPad(NodeContext &ctx) {
  ImportedValue *x;
  if (failed(ctx.inputs({&x})))
    return failure();
  const int64_t rank = x->shape.size();
  const std::string mode = ctx.attrString("mode", "constant");
  qc::PadMode padMode;
  if (mode == "constant")
    padMode = qc::PadMode::Constant;
  else if (mode == "reflect")
    padMode = qc::PadMode::Reflect;
  else if (mode == "edge")
    padMode = qc::PadMode::Edge;
  else
    return ctx.unsupported("mode='" + mode + "'");
  std::vector<int64_t> pads;
  double value = 0;
  std::vector<int64_t> axes;
  if (ctx.version < 11) {
    pads = ctx.attrInts("pads");
    value = ctx.attrFloat("value", 0.0f);
  } else {
    auto p = ctx.constantInts(1, "pads");
    if (failed(p))
      return failure();
    pads = *p;
    if (ctx.hasInput(2)) {
      auto v = ctx.constant(2, "constant_value");
      if (failed(v))
        return failure();
      if (v->numElements() != 1)
        return ctx.fail("constant_value must be a scalar");
      value = v->values[0];
    }
    if (ctx.version >= 18 && ctx.hasInput(3)) {
      auto a = ctx.constantInts(3, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
  }
  if (axes.empty())
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  if (pads.size() != 2 * axes.size())
    return ctx.fail("pads must have 2 x " + llvm::Twine(axes.size()) +
                    " entries, got " + llvm::Twine(pads.size()));
  std::vector<int64_t> full(2 * rank, 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    auto axis = ctx.normalizeAxis(axes[i], rank);
    if (failed(axis))
      return failure();
    full[*axis] = pads[i];
    full[*axis + rank] = pads[i + axes.size()];
  }
  SymShape out = x->shape;
  for (int64_t i = 0; i < rank; ++i) {
    if (!isStatic(out[i])) {
      if (full[i] || full[i + rank])
        out[i] = ctx.freshSymbol();
      continue;
    }
    auto size = (CheckedInt(out[i]) + full[i] + full[i + rank]).get();
    if (!size)
      return ctx.fail("the padded size of dimension " + llvm::Twine(i) +
                      " overflows int64");
    out[i] = *size;
    if (out[i] < 0)
      return ctx.fail("pads crop dimension " + llvm::Twine(i) +
                      " below zero");
  }
  OpBuilder &b = ctx.builder();
  Value result = qc::PadOp::create(
      b, ctx.loc(), ctx.tensorType(out, x->elementType), x->value,
      i64Array(ctx, full), qc::PadModeAttr::get(b.getContext(), padMode),
      b.getF64FloatAttr(value));
  ctx.setOutput(0, result, out, x->dataType);
  return success();
}

/// The tensor attribute `value` (of Constant and ConstantOfShape), which
/// the caller checked is present.
static FailureOr<Literal> valueAttribute(NodeContext &ctx) {
  const onnx::AttributeProto *a = ctx.attr("value");
  if (!a->has_t()) {
    (void)ctx.fail("attribute 'value' is not a tensor");
    return failure();
  }
  auto bytes = tensorBytes(a->t(), ctx.importer.baseDir,
                           ctx.importer.options.maxElements);
  if (!bytes) {
    (void)ctx.fail(llvm::toString(bytes.takeError()));
    return failure();
  }
  auto values = bytesToDoubles(a->t().data_type(), *bytes);
  if (!values) {
    (void)ctx.fail(llvm::toString(values.takeError()));
    return failure();
  }
  return makeLiteral(a->t().data_type(),
                     {a->t().dims().begin(), a->t().dims().end()},
                     std::move(*values));
}

LogicalResult convertConstant(NodeContext &ctx) {
  Literal literal;
  if (ctx.attr("value")) {
    auto value = valueAttribute(ctx);
    if (failed(value))
      return failure();
    literal = std::move(*value);
  } else if (ctx.hasAttr("value_float")) {
    literal =
        makeLiteral(TensorProto::FLOAT, {}, {ctx.attrFloat("value_float", 0)});
  } else if (ctx.hasAttr("value_floats")) {
    std::vector<float> f = ctx.attrFloats("value_floats");
    literal = makeLiteral(TensorProto::FLOAT, {static_cast<int64_t>(f.size())},
                          {f.begin(), f.end()});
  } else if (ctx.hasAttr("value_int")) {
    literal = makeLiteral(TensorProto::INT64, {},
                          {static_cast<double>(ctx.attrInt("value_int", 0))});
  } else if (ctx.hasAttr("value_ints")) {
    std::vector<int64_t> v = ctx.attrInts("value_ints");
    literal = makeLiteral(TensorProto::INT64, {static_cast<int64_t>(v.size())},
                          {v.begin(), v.end()});
  } else {
    return ctx.unsupported("a Constant without a numeric value (sparse or "
                           "string constants)");
  }
  if (!elementType(*ctx.context(), literal.dataType))
    return ctx.unsupported("data type " + onnxDataTypeName(literal.dataType));
  setLiteralOutput(ctx, 0, std::move(literal));
  return success();
}

/// `input` broadcast to `shape` (a qc.expand; the input itself when the
/// shapes agree), with the run-time sizes of its symbolic dimensions.
static LogicalResult emitExpand(NodeContext &ctx, ImportedValue &input,
                                const SymShape &shape) {
  if (!input.value &&
      failed(ctx.importer.materialize(input, ctx.node.input(0))))
    return failure();
  if (input.shape == shape) {
    ctx.setOutput(0, input);
    return success();
  }
  SmallVector<Value> sizes;
  for (Dim d : shape) {
    if (isStatic(d))
      continue;
    auto size = ctx.symbolSize(d);
    if (failed(size))
      return failure();
    sizes.push_back(*size);
  }
  Value result = qc::ExpandOp::create(ctx.builder(), ctx.loc(),
                                      ctx.tensorType(shape, input.elementType),
                                      input.value, sizes);
  ctx.setOutput(0, result, shape, input.dataType);
  return success();
}

/// The shape operand of ConstantOfShape and Expand: a 1-d import-time value
/// of non-negative sizes (dynamic dimensions allowed).
static FailureOr<SymShape> shapeOperand(NodeContext &ctx, size_t i,
                                        StringRef what) {
  auto shape = ctx.constant(i, what, /*allowSymbolic=*/true);
  if (failed(shape))
    return failure();
  if (shape->shape.size() != 1) {
    (void)ctx.fail(what + " must be 1-d, got rank " +
                   llvm::Twine(shape->shape.size()));
    return failure();
  }
  SymShape out;
  for (size_t k = 0; k < shape->values.size(); ++k) {
    const Dim d = shape->dimAt(k);
    if (isStatic(d) && d > ctx.importer.options.maxElements) {
      (void)ctx.fail(what + " has an absurd size " + llvm::Twine(d));
      return failure();
    }
    if (d < 0 && (shape->symbols.empty() || shape->symbols[k] == 0)) {
      (void)ctx.fail(what + " has a negative size " + llvm::Twine(d));
      return failure();
    }
    out.push_back(d);
  }
  return out;
}

/// ConstantOfShape: folded into a literal when the shape is static, else a
/// scalar broadcast to the run-time shape.
LogicalResult convertConstantOfShape(NodeContext &ctx) {
  auto shape = shapeOperand(ctx, 0, "the shape");
  if (failed(shape))
    return failure();
  Literal fill = makeLiteral(TensorProto::FLOAT, {}, {0.0});
  if (ctx.attr("value")) {
    auto value = valueAttribute(ctx);
    if (failed(value))
      return failure();
    if (value->numElements() != 1)
      return ctx.fail("attribute 'value' must hold one element, got " +
                      llvm::Twine(value->numElements()));
    fill = makeLiteral(value->dataType, {}, std::move(value->values));
  }
  Type element = elementType(*ctx.context(), fill.dataType);
  if (!element)
    return ctx.unsupported("data type " + onnxDataTypeName(fill.dataType));
  CheckedInt count = 1;
  bool symbolic = false;
  for (Dim d : *shape) {
    symbolic |= !isStatic(d);
    if (isStatic(d))
      count = count * d;
  }
  if (count.overflowed() || *count.get() > ctx.importer.options.maxElements)
    return ctx.fail("the shape has more elements than the limit of " +
                    llvm::Twine(ctx.importer.options.maxElements));
  if (!symbolic) {
    Literal out = makeLiteral(fill.dataType, {shape->begin(), shape->end()},
                              std::vector<double>(*count.get(), fill.values[0]));
    setLiteralOutput(ctx, 0, std::move(out));
    return success();
  }
  ImportedValue scalar;
  scalar.dataType = fill.dataType;
  scalar.elementType = element;
  scalar.value = scalarConstant(ctx, element, fill.values[0]);
  return emitExpand(ctx, scalar, *shape);
}

/// Expand: NumPy broadcasting of the input with the target shape.
LogicalResult convertExpand(NodeContext &ctx) {
  ImportedValue *x;
  if (failed(ctx.inputs({&x}, {}, /*materialize=*/false)))
    return failure();
  auto target = shapeOperand(ctx, 1, "the target shape");
  if (failed(target))
    return failure();
  auto shape = broadcast(ctx, x->shape, *target);
  if (failed(shape))
    return failure();
  return emitExpand(ctx, *x, *shape);
}

LogicalResult convertIdentity(NodeContext &ctx) {
  ImportedValue *x;
  if (failed(ctx.inputs({&x}, {}, /*materialize=*/false)))
    return failure();
  if (!x->literal && x->initializer &&
      failed(ctx.importer.decodeLiteral(*x, ctx.node.input(0))))
    return failure();
  ctx.setOutput(0, *x);
  return success();
}

/// Cast: an element type conversion (qc.cast); on import-time literals
/// (shape arithmetic such as `Cast(Div(Shape(x)[1], 2))` in a channel
/// shuffle) folded as qc.cast computes it: truncation toward zero to
/// integers, 0 or 1 to bool.
LogicalResult convertCast(NodeContext &ctx) {
  ImportedValue *x;
  if (failed(ctx.inputs({&x}, {}, /*materialize=*/false)))
    return failure();
  if (!ctx.hasAttr("to"))
    return ctx.fail("missing attribute 'to'");
  const int64_t to = ctx.attrInt("to", 0);
  Type element = to >= INT32_MIN && to <= INT32_MAX
                     ? elementType(*ctx.context(), static_cast<int32_t>(to))
                     : Type();
  if (!element)
    return ctx.unsupported("a cast to data type " +
                           onnxDataTypeName(static_cast<int32_t>(to)));
  const int32_t dataType = static_cast<int32_t>(to);
  // bfloat16 data are read and computed as raw 16-bit words elsewhere.
  if (dataType == TensorProto::BFLOAT16 ||
      x->dataType == TensorProto::BFLOAT16)
    return ctx.unsupported("a cast from or to bfloat16");
  if (!x->literal && x->initializer &&
      failed(ctx.importer.decodeLiteral(*x, ctx.node.input(0))))
    return failure();
  // Symbolic elements (dimensions) stay symbolic between integer types.
  const bool integerToInteger = isa<IntegerType>(x->elementType) &&
                                isa<IntegerType>(element) &&
                                !element.isInteger(1);
  if (x->literal && (x->literal->isFullyKnown() || integerToInteger)) {
    Literal cast = *x->literal;
    cast.dataType = dataType;
    for (double &v : cast.values)
      v = element.isInteger(1)    ? double(v != 0)
          : isa<IntegerType>(element) ? std::trunc(v)
                                      : v;
    setLiteralOutput(ctx, 0, std::move(cast));
    return success();
  }
  if (!x->value && failed(ctx.importer.materialize(*x, ctx.node.input(0))))
    return failure();
  if (element == x->elementType) {
    ctx.setOutput(0, x->value, x->shape, dataType);
    return success();
  }
  Value result = qc::CastOp::create(ctx.builder(), ctx.loc(),
                                    ctx.tensorType(x->shape, element), x->value);
  ctx.setOutput(0, result, x->shape, dataType);
  return success();
}

} // namespace qcc::onnx_import
