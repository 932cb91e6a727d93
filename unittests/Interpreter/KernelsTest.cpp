//===- KernelsTest.cpp - Reference kernels on hand-computed cases ---------===//
//
// Every expected value below is worked out by hand in the comment next to
// it. The ONNX conformance data is checked in KernelsOnnxConformanceTest.cpp.
//
//===----------------------------------------------------------------------===//

#include "qcc/Interpreter/Kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numeric>

using namespace qcc::interp;

namespace {

/// 0, 1, 2, ... in `shape`.
Tensor iota(Shape shape, double start = 0.0) {
  Tensor t = Tensor::filled(std::move(shape), 0.0);
  std::iota(t.data.begin(), t.data.end(), start);
  return t;
}

void expectTensor(const Result<Tensor> &r, const Shape &shape,
                  const std::vector<double> &data, double tol = 1e-12) {
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(r.value->shape, shape);
  ASSERT_EQ(r.value->data.size(), data.size());
  for (size_t i = 0; i < data.size(); ++i)
    EXPECT_NEAR(r.value->data[i], data[i], tol) << "at flat index " << i;
}

template <typename T>
void expectError(const Result<T> &r, const std::string &fragment) {
  ASSERT_FALSE(r) << "expected an error mentioning '" << fragment << "'";
  EXPECT_NE(r.error.find(fragment), std::string::npos) << r.error;
}

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

//===----------------------------------------------------------------------===//
// Basics and element-wise
//===----------------------------------------------------------------------===//

TEST(KernelsBasics, ShapesAndStrides) {
  EXPECT_EQ(numElements({2, 3, 4}), 24);
  EXPECT_EQ(numElements({}), 1);
  EXPECT_EQ(numElements({2, 0}), 0);
  EXPECT_EQ(stridesOf({2, 3, 4}), (std::vector<int64_t>{12, 4, 1}));
  EXPECT_EQ(stridesOf({}), (std::vector<int64_t>{}));
  Tensor t = Tensor::filled({2, 2}, 7.0);
  EXPECT_EQ(t.numElements(), 4);
  EXPECT_EQ(t.rank(), 2);
  EXPECT_EQ(t.data, (std::vector<double>{7, 7, 7, 7}));
  EXPECT_EQ(shapeToString({2, 3}), "[2, 3]");
  EXPECT_EQ(shapeToString({}), "[]");
}

TEST(KernelsBasics, MalformedTensorIsAnError) {
  Tensor bad({2, 2}, {1, 2, 3}); // 3 elements for 4
  expectError(transpose(bad, {1, 0}), "3 elements");
  Tensor negative({-1, 2}, {});
  expectError(reshape(negative, {2}), "negative dimension");
}

TEST(KernelsElementwise, BroadcastShapes) {
  Result<Shape> s = broadcastShapes({2, 1, 3}, {4, 3});
  ASSERT_TRUE(s);
  EXPECT_EQ(*s.value, (Shape{2, 4, 3}));
  s = broadcastShapes({}, {2});
  ASSERT_TRUE(s);
  EXPECT_EQ(*s.value, (Shape{2}));
  s = broadcastShapes({0, 1}, {1, 5});
  ASSERT_TRUE(s);
  EXPECT_EQ(*s.value, (Shape{0, 5}));
  expectError(broadcastShapes({2, 3}, {3, 2}), "not broadcastable");
}

TEST(KernelsElementwise, BinaryBroadcasts) {
  auto add = [](double a, double b) { return a + b; };
  auto sub = [](double a, double b) { return a - b; };
  // [[0,1,2],[3,4,5]] + [10,20,30]
  expectTensor(binary(iota({2, 3}), Tensor({3}, {10, 20, 30}), add), {2, 3},
               {10, 21, 32, 13, 24, 35});
  // Column [1,2] minus row [10,20,30]: an outer difference.
  expectTensor(
      binary(Tensor({2, 1}, {1, 2}), Tensor({1, 3}, {10, 20, 30}), sub), {2, 3},
      {-9, -19, -29, -8, -18, -28});
  // Scalar on the left.
  expectTensor(binary(Tensor({}, {100}), iota({2}), sub), {2}, {100, 99});
  expectError(binary(iota({2}), iota({3}), add), "not broadcastable");
}

TEST(KernelsElementwise, Unary) {
  Tensor r =
      unary(Tensor({3}, {-1, 0, 2}), [](double v) { return std::max(v, 0.0); });
  EXPECT_EQ(r.shape, (Shape{3}));
  EXPECT_EQ(r.data, (std::vector<double>{0, 0, 2}));
}

//===----------------------------------------------------------------------===//
// Conv
//===----------------------------------------------------------------------===//

TEST(KernelsConv, Basic2dWithBias) {
  // x = [[1,2,3],[4,5,6],[7,8,9]], 2x2 all-ones kernel: window sums
  // 1+2+4+5=12, 2+3+5+6=16, 4+5+7+8=24, 5+6+8+9=28; bias 1.
  Tensor x = iota({1, 1, 3, 3}, 1);
  Tensor w = Tensor::filled({1, 1, 2, 2}, 1.0);
  Tensor b({1}, {1});
  expectTensor(conv(x, w, &b, Window{}, 1), {1, 1, 2, 2}, {13, 17, 25, 29});
  // Explicit defaults and a matching kernel shape give the same.
  expectTensor(conv(x, w, &b, Window{{2, 2}, {1, 1}, {0, 0, 0, 0}, {1, 1}}, 1),
               {1, 1, 2, 2}, {13, 17, 25, 29});
}

TEST(KernelsConv, Grouped) {
  // 4 input channels [1,2] [3,4] [5,6] [7,8]; group 2, two outputs.
  // out0 = 1*c0 + 10*c1 = [31, 42]; out1 = 100*c2 + 1000*c3 = [7500, 8600].
  Tensor x = iota({1, 4, 2}, 1);
  Tensor w({2, 2, 1}, {1, 10, 100, 1000});
  expectTensor(conv(x, w, nullptr, Window{}, 2), {1, 2, 2},
               {31, 42, 7500, 8600});
}

TEST(KernelsConv, Depthwise) {
  // c0 = [1,2,3] with kernel [1,-1]: [-1,-1]; c1 = [4,5,6] with [2,3]:
  // [4*2+5*3, 5*2+6*3] = [23, 28].
  Tensor x = iota({1, 2, 3}, 1);
  Tensor w({2, 1, 2}, {1, -1, 2, 3});
  expectTensor(conv(x, w, nullptr, Window{}, 2), {1, 2, 2}, {-1, -1, 23, 28});
}

TEST(KernelsConv, DepthwiseWithChannelMultiplier) {
  // group 2, M = 4: outputs 0,1 read channel 0, outputs 2,3 channel 1.
  Tensor x({1, 2, 2}, {1, 2, 3, 4}); // c0 = [1,2], c1 = [3,4]
  Tensor w({4, 1, 1}, {1, 2, 3, 4});
  expectTensor(conv(x, w, nullptr, Window{}, 2), {1, 4, 2},
               {1, 2, 2, 4, 9, 12, 12, 16});
}

TEST(KernelsConv, Dilated) {
  // x = [1..5], kernel [1,1] dilated by 2 taps x[i] + x[i+2]: [4, 6, 8];
  // with stride 2 only starts 0 and 2: [4, 8].
  Tensor x = iota({1, 1, 5}, 1);
  Tensor w({1, 1, 2}, {1, 1});
  expectTensor(conv(x, w, nullptr, Window{{}, {1}, {0, 0}, {2}}, 1), {1, 1, 3},
               {4, 6, 8});
  expectTensor(conv(x, w, nullptr, Window{{}, {2}, {0, 0}, {2}}, 1), {1, 1, 2},
               {4, 8});
}

TEST(KernelsConv, AsymmetricPads) {
  // x = [1,2,3], kernel [1,10].
  Tensor x = iota({1, 1, 3}, 1);
  Tensor w({1, 1, 2}, {1, 10});
  // pads (1, 0): padded [0,1,2,3] -> [10, 21, 32].
  expectTensor(conv(x, w, nullptr, Window{{}, {}, {1, 0}, {}}, 1), {1, 1, 3},
               {10, 21, 32});
  // pads (0, 2): padded [1,2,3,0,0] -> [21, 32, 3, 0].
  expectTensor(conv(x, w, nullptr, Window{{}, {}, {0, 2}, {}}, 1), {1, 1, 4},
               {21, 32, 3, 0});
}

TEST(KernelsConv, TwoDimensionalStridePadDilation) {
  // 4x4 x = 0..15, 2x2 kernel [[1,0],[0,1]] dilated by 2 (taps (0,0) and
  // (2,2)), stride 2, pads top 1 left 0 bottom 0 right 1: padded height
  // 5, width 5, output floor((5-3)/2)+1 = 2 per axis. Output (i,j) starts at
  // row 2i-1, col 2j:
  //   (0,0): x[-1][0] (pad) + x[1][2] = 6
  //   (0,1): x[-1][2] (pad) + x[1][4] (pad) = 0
  //   (1,0): x[1][0] + x[3][2] = 4 + 14 = 18
  //   (1,1): x[1][2] + x[3][4] (pad) = 6
  Tensor x = iota({1, 1, 4, 4});
  Tensor w({1, 1, 2, 2}, {1, 0, 0, 1});
  expectTensor(conv(x, w, nullptr, Window{{}, {2, 2}, {1, 0, 0, 1}, {2, 2}}, 1),
               {1, 1, 2, 2}, {6, 0, 18, 6});
}

TEST(KernelsConv, BatchOfTwo) {
  Tensor x({2, 1, 2}, {1, 2, 3, 4});
  Tensor w({1, 1, 2}, {1, 1});
  expectTensor(conv(x, w, nullptr, Window{}, 1), {2, 1, 1}, {3, 7});
}

TEST(KernelsConv, Errors) {
  Tensor x = iota({1, 4, 3});
  expectError(conv(x, Tensor::filled({2, 3, 1}, 1), nullptr, Window{}, 1),
              "input channels per group");
  expectError(conv(x, Tensor::filled({3, 4, 1}, 1), nullptr, Window{}, 2),
              "divisible by group");
  expectError(conv(x, Tensor::filled({2, 2, 1}, 1), nullptr, Window{}, 0),
              "group");
  expectError(conv(x, Tensor::filled({1, 4, 5}, 1), nullptr, Window{}, 1),
              "does not fit");
  Tensor b({2}, {0, 0});
  expectError(conv(x, Tensor::filled({1, 4, 1}, 1), &b, Window{}, 1),
              "bias shape");
  expectError(conv(x, Tensor::filled({1, 4, 1}, 1), nullptr,
                   Window{{}, {}, {1}, {}}, 1),
              "pads");
  expectError(conv(x, Tensor::filled({1, 4, 1}, 1), nullptr,
                   Window{{}, {0}, {}, {}}, 1),
              "strides");
  expectError(conv(x, Tensor::filled({1, 4, 1}, 1), nullptr,
                   Window{{}, {}, {-1, 0}, {}}, 1),
              "non-negative");
  expectError(conv(x, Tensor::filled({1, 4, 1}, 1), nullptr,
                   Window{{2}, {}, {}, {}}, 1),
              "kernel shape");
  expectError(
      conv(iota({4, 3}), Tensor::filled({1, 4}, 1), nullptr, Window{}, 1),
      "[N, C, D...]");
  expectError(conv(x, Tensor::filled({1, 4, 1, 1}, 1), nullptr, Window{}, 1),
              "rank");
}

//===----------------------------------------------------------------------===//
// ConvTranspose
//===----------------------------------------------------------------------===//

TEST(KernelsConvTranspose, Stride2WithOutputPadding) {
  // x = [1,2,3], w = [1,1,1], stride 2, output_padding 1:
  // size 2*(3-1) + 1 + (3-1) + 1 = 8. x0 lands on 0..2, x1 on 2..4, x2 on
  // 4..6, position 7 exists only through output_padding:
  // [1, 1, 1+2, 2, 2+3, 3, 3, 0].
  Tensor x = iota({1, 1, 3}, 1);
  Tensor w = Tensor::filled({1, 1, 3}, 1.0);
  expectTensor(convTranspose(x, w, nullptr, Window{{}, {2}, {}, {}}, {1}, 1),
               {1, 1, 8}, {1, 1, 3, 2, 5, 3, 3, 0});
  // The bias reaches every position, the output-padded one included.
  Tensor b({1}, {10});
  expectTensor(convTranspose(x, w, &b, Window{{}, {2}, {}, {}}, {1}, 1),
               {1, 1, 8}, {11, 11, 13, 12, 15, 13, 13, 10});
  // pads (1, 1) crop one position at each end.
  expectTensor(
      convTranspose(x, w, nullptr, Window{{}, {2}, {1, 1}, {}}, {1}, 1),
      {1, 1, 6}, {1, 3, 2, 5, 3, 3});
}

TEST(KernelsConvTranspose, Stride2TwoDimensional) {
  // x = [[1,2],[3,4]], w = [[1,10],[100,1000]], stride 2: each input
  // element stamps a disjoint 2x2 block scaled by w (size 2*1+1+1 = 4),
  // plus output_padding (1, 0) adds a zero row.
  Tensor x = iota({1, 1, 2, 2}, 1);
  Tensor w({1, 1, 2, 2}, {1, 10, 100, 1000});
  expectTensor(
      convTranspose(x, w, nullptr, Window{{}, {2, 2}, {}, {}}, {1, 0}, 1),
      {1, 1, 5, 4}, {1,   10,   2,   20,   //
                     100, 1000, 200, 2000, //
                     3,   30,   4,   40,   //
                     300, 3000, 400, 4000, //
                     0,   0,    0,   0});
}

TEST(KernelsConvTranspose, Dilated) {
  // x = [1,2], w = [1,10] dilated by 2: taps at +0 and +2; size
  // (2-1) + 2*(2-1) + 1 = 4: [1, 2, 10, 20].
  Tensor x = iota({1, 1, 2}, 1);
  Tensor w({1, 1, 2}, {1, 10});
  expectTensor(convTranspose(x, w, nullptr, Window{{}, {}, {}, {2}}, {}, 1),
               {1, 1, 4}, {1, 2, 10, 20});
}

TEST(KernelsConvTranspose, Grouped) {
  // C = 2, group 2, w [C, M/group = 2, 1]: channel 0 (value 1) feeds outputs
  // 0,1 with weights 1,2; channel 1 (value 2) feeds outputs 2,3 with 3,4.
  Tensor x({1, 2, 1}, {1, 2});
  Tensor w({2, 2, 1}, {1, 2, 3, 4});
  expectTensor(convTranspose(x, w, nullptr, Window{}, {}, 2), {1, 4, 1},
               {1, 2, 6, 8});
  // group 1: every output sums both channels: [1*1 + 2*3, 1*2 + 2*4].
  expectTensor(convTranspose(x, w, nullptr, Window{}, {}, 1), {1, 2, 1},
               {7, 10});
}

TEST(KernelsConvTranspose, Errors) {
  Tensor x = iota({1, 2, 3});
  expectError(
      convTranspose(x, Tensor::filled({3, 1, 1}, 1), nullptr, Window{}, {}, 1),
      "input channels");
  expectError(convTranspose(x, Tensor::filled({2, 1, 1}, 1), nullptr,
                            Window{{}, {}, {2, 2}, {}}, {}, 1),
              "not positive");
  expectError(convTranspose(x, Tensor::filled({2, 1, 1}, 1), nullptr, Window{},
                            {1, 1}, 1),
              "output_padding");
  Tensor b({1}, {0});
  expectError(
      convTranspose(x, Tensor::filled({2, 1, 1}, 1), &b, Window{}, {}, 2),
      "bias shape");
  expectError(
      convTranspose(x, Tensor::filled({2, 1, 1}, 1), nullptr, Window{}, {}, 3),
      "divisible by group");
}

//===----------------------------------------------------------------------===//
// Gemm and MatMul
//===----------------------------------------------------------------------===//

// A = [[1,2,3],[4,5,6]], B = [[1,2],[3,4],[5,6]]: AB = [[22,28],[49,64]].
const Tensor kA = iota({2, 3}, 1);
const Tensor kB = iota({3, 2}, 1);

TEST(KernelsGemm, AlphaBetaAndBroadcastC) {
  // 2*AB + 0.5*[10,20] = [[49,66],[103,138]].
  Tensor c({2}, {10, 20});
  expectTensor(gemm(kA, kB, &c, 2.0, 0.5, false, false), {2, 2},
               {49, 66, 103, 138});
  // Column C [2,1] and scalar C.
  Tensor col({2, 1}, {1, 2});
  expectTensor(gemm(kA, kB, &col, 1.0, 1.0, false, false), {2, 2},
               {23, 29, 51, 66});
  Tensor scalar({}, {1});
  expectTensor(gemm(kA, kB, &scalar, 1.0, 1.0, false, false), {2, 2},
               {23, 29, 50, 65});
  expectTensor(gemm(kA, kB, nullptr, 1.0, 1.0, false, false), {2, 2},
               {22, 28, 49, 64});
}

TEST(KernelsGemm, Transposes) {
  Tensor aT({3, 2}, {1, 4, 2, 5, 3, 6});
  Tensor bT({2, 3}, {1, 3, 5, 2, 4, 6});
  expectTensor(gemm(aT, kB, nullptr, 1, 0, true, false), {2, 2},
               {22, 28, 49, 64});
  expectTensor(gemm(kA, bT, nullptr, 1, 0, false, true), {2, 2},
               {22, 28, 49, 64});
  expectTensor(gemm(aT, bT, nullptr, 1, 0, true, true), {2, 2},
               {22, 28, 49, 64});
}

TEST(KernelsGemm, Errors) {
  expectError(gemm(kA, kA, nullptr, 1, 0, false, false), "inner dimensions");
  Tensor c({3}, {1, 2, 3});
  expectError(gemm(kA, kB, &c, 1, 1, false, false), "does not broadcast");
  // C may not broadcast the result beyond [M, N].
  Tensor big({3, 2, 2}, std::vector<double>(12, 0.0));
  expectError(gemm(kA, kB, &big, 1, 1, false, false), "does not broadcast");
  expectError(gemm(iota({6}), kB, nullptr, 1, 0, false, false), "matrices");
}

TEST(KernelsMatMul, TwoDimensional) {
  expectTensor(matmul(kA, kB), {2, 2}, {22, 28, 49, 64});
}

TEST(KernelsMatMul, OneDimensionalPromotion) {
  // Dot product -> scalar.
  expectTensor(matmul(Tensor({3}, {1, 2, 3}), Tensor({3}, {4, 5, 6})), {},
               {32});
  // [1,2] x [[1,2,3],[4,5,6]] = [9,12,15].
  expectTensor(matmul(Tensor({2}, {1, 2}), kA), {3}, {9, 12, 15});
  // [[1,2,3],[4,5,6]] x [1,1,1] = [6,15].
  expectTensor(matmul(kA, Tensor({3}, {1, 1, 1})), {2}, {6, 15});
  // Batched matrix x vector: [2,2,2] x [2] -> [2,2].
  expectTensor(matmul(iota({2, 2, 2}), Tensor({2}, {1, 10})), {2, 2},
               {10, 32, 54, 76});
  // Vector x batched matrix: [2] x [2,2,2] -> [2,2]:
  // [1,10] x [[0,1],[2,3]] = [20,31]; x [[4,5],[6,7]] = [64,75].
  expectTensor(matmul(Tensor({2}, {1, 10}), iota({2, 2, 2})), {2, 2},
               {20, 31, 64, 75});
}

TEST(KernelsMatMul, BatchBroadcast) {
  // a [2,1,1,2]: rows [1,2] and [3,4]; b [3,2,1]: columns [1,0], [0,1],
  // [1,1]. Result [2,3,1,1]: [1,2,3] then [3,4,7].
  Tensor a({2, 1, 1, 2}, {1, 2, 3, 4});
  Tensor b({3, 2, 1}, {1, 0, 0, 1, 1, 1});
  expectTensor(matmul(a, b), {2, 3, 1, 1}, {1, 2, 3, 3, 4, 7});
  // A single matrix against a batch.
  expectTensor(matmul(Tensor({1, 2}, {1, 2}), b), {3, 1, 1}, {1, 2, 3});
}

TEST(KernelsMatMul, Errors) {
  expectError(matmul(kA, kA), "inner dimensions");
  expectError(matmul(iota({2, 2, 2}), iota({3, 2, 2})), "not broadcastable");
  expectError(matmul(Tensor({}, {1}), kA), "rank >= 1");
}

//===----------------------------------------------------------------------===//
// Normalisation and reductions
//===----------------------------------------------------------------------===//

TEST(KernelsSoftmax, Basic) {
  // [0, ln 3] -> [1/4, 3/4].
  expectTensor(softmax(Tensor({1, 2}, {0, std::log(3.0)}), 1), {1, 2},
               {0.25, 0.75});
  expectTensor(softmax(Tensor({1, 2}, {0, std::log(3.0)}), -1), {1, 2},
               {0.25, 0.75});
  // Along axis 0 of [[0, 5], [ln 3, 5]]: columns [1/4, 3/4] and [1/2, 1/2].
  expectTensor(softmax(Tensor({2, 2}, {0, 5, std::log(3.0), 5}), 0), {2, 2},
               {0.25, 0.5, 0.75, 0.5});
  // Stable for large inputs.
  expectTensor(softmax(Tensor({2}, {1000, 1000}), 0), {2}, {0.5, 0.5});
  expectError(softmax(iota({2, 2}), 2), "axis 2");
  expectError(softmax(iota({2, 2}), -3), "axis -3");
}

TEST(KernelsLayerNorm, LastAxis) {
  // Rows [1,3] (mean 2, var 1) and [2,6] (mean 4, var 4) both normalise to
  // [-1, 1]; scale [2,3], bias [10,20] -> [8, 23].
  Tensor x({2, 2}, {1, 3, 2, 6});
  Tensor scale({2}, {2, 3});
  Tensor bias({2}, {10, 20});
  expectTensor(layerNorm(x, scale, &bias, 1, 0.0), {2, 2}, {8, 23, 8, 23});
  expectTensor(layerNorm(x, scale, &bias, -1, 0.0), {2, 2}, {8, 23, 8, 23});
  // epsilon: row 0 becomes [-1, 1] / sqrt(1 + 3) = [-0.5, 0.5], row 1
  // [-2, 2] / sqrt(4 + 3).
  expectTensor(layerNorm(x, Tensor({2}, {1, 1}), nullptr, 1, 3.0), {2, 2},
               {-0.5, 0.5, -2 / std::sqrt(7.0), 2 / std::sqrt(7.0)});
}

TEST(KernelsLayerNorm, SeveralAxesWithBroadcastScale) {
  // Over all of [[1,3],[2,6]]: mean 3, population variance
  // (4 + 0 + 1 + 9) / 4 = 3.5. scale [2] broadcasts along the last axis.
  Tensor x({2, 2}, {1, 3, 2, 6});
  double s = std::sqrt(3.5);
  expectTensor(layerNorm(x, Tensor({2}, {1, 2}), nullptr, 0, 0.0), {2, 2},
               {-2 / s, 0, -1 / s, 2 * 3 / s});
  // Scalar-like scale [1] and a full-shape bias.
  Tensor bias({2, 2}, {0, 1, 2, 3});
  expectTensor(layerNorm(x, Tensor({1}, {1}), &bias, 0, 0.0), {2, 2},
               {-2 / s, 1, -1 / s + 2, 3 / s + 3});
}

TEST(KernelsLayerNorm, Errors) {
  Tensor x = iota({2, 2});
  expectError(layerNorm(x, Tensor({3}, {1, 1, 1}), nullptr, 1, 0),
              "normalised shape");
  // scale may not broadcast x's non-normalised axes.
  expectError(layerNorm(x, Tensor({2, 2}, {1, 1, 1, 1}), nullptr, 1, 0),
              "normalised shape");
  Tensor bias({3}, {0, 0, 0});
  expectError(layerNorm(x, Tensor({2}, {1, 1}), &bias, 1, 0), "bias");
  expectError(layerNorm(x, Tensor({2}, {1, 1}), nullptr, 2, 0), "axis 2");
}

TEST(KernelsBatchNorm, PerChannel) {
  // c0 = [1,2]: (x - 1) / sqrt(4) * 1 + 0 = [0, 0.5];
  // c1 = [3,4]: (x - 3) / sqrt(1) * 2 + 1 = [1, 3].
  Tensor x({1, 2, 2}, {1, 2, 3, 4});
  expectTensor(batchNorm(x, Tensor({2}, {1, 2}), Tensor({2}, {0, 1}),
                         Tensor({2}, {1, 3}), Tensor({2}, {4, 1}), 0.0),
               {1, 2, 2}, {0, 0.5, 1, 3});
  // epsilon enters under the square root: (2 - 1) / sqrt(3 + 1) = 0.5.
  expectTensor(batchNorm(Tensor({1, 1}, {2}), Tensor({1}, {1}),
                         Tensor({1}, {0}), Tensor({1}, {1}), Tensor({1}, {3}),
                         1.0),
               {1, 1}, {0.5});
}

TEST(KernelsBatchNorm, Errors) {
  Tensor x = iota({1, 2, 2});
  Tensor two({2}, {1, 1});
  expectError(batchNorm(x, Tensor({3}, {1, 1, 1}), two, two, two, 0), "scale");
  expectError(batchNorm(x, two, two, two, Tensor({1}, {1}), 0), "variance");
  expectError(batchNorm(iota({2}), two, two, two, two, 0), "[N, C, ...]");
}

TEST(KernelsReduceMean, Axes) {
  Tensor x = iota({2, 3}, 1); // [[1,2,3],[4,5,6]]
  expectTensor(reduceMean(x, {1}, true), {2, 1}, {2, 5});
  expectTensor(reduceMean(x, {1}, false), {2}, {2, 5});
  expectTensor(reduceMean(x, {0}, false), {3}, {2.5, 3.5, 4.5});
  expectTensor(reduceMean(x, {0, 1}, false), {}, {3.5});
  expectTensor(reduceMean(x, {0, 1}, true), {1, 1}, {3.5});
  // Empty axes reduce everything (the ONNX default).
  expectTensor(reduceMean(x, {}, true), {1, 1}, {3.5});
  // Middle axis of [2,2,2] = 0..7: pairs (0,2) (1,3) (4,6) (5,7).
  expectTensor(reduceMean(iota({2, 2, 2}), {1}, false), {2, 2}, {1, 2, 5, 6});
}

TEST(KernelsReduceMean, Errors) {
  expectError(reduceMean(iota({2, 3}), {2}, true), "axis 2");
  expectError(reduceMean(iota({2, 3}), {1, 1}, true), "repeated");
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

TEST(KernelsMaxPool, CeilModeAddsAPartialWindow) {
  // x = [1..5], kernel 2, stride 2. floor: (5-2)/2 + 1 = 2 windows [2, 4];
  // ceil: 3 windows, the last one [5] clipped.
  Tensor x = iota({1, 1, 5}, 1);
  expectTensor(maxPool(x, Window{{2}, {2}, {}, {}}, false), {1, 1, 2}, {2, 4});
  expectTensor(maxPool(x, Window{{2}, {2}, {}, {}}, true), {1, 1, 3},
               {2, 4, 5});
}

TEST(KernelsMaxPool, CeilModeDropsWindowStartingInEndPadding) {
  // D = 5, kernel 2, stride 2, pads (1, 1): ceil((5+2-2)/2) + 1 = 4, but
  // window 3 would start at 3*2 - 1 = 5, in the end padding: dropped, so 3.
  // Windows start at -1, 1, 3: max(pad, 1), max(2, 3), max(4, 5).
  Tensor x = iota({1, 1, 5}, 1);
  expectTensor(maxPool(x, Window{{2}, {2}, {1, 1}, {}}, true), {1, 1, 3},
               {1, 3, 5});
  expectTensor(maxPool(x, Window{{2}, {2}, {1, 1}, {}}, false), {1, 1, 3},
               {1, 3, 5});
}

TEST(KernelsMaxPool, PaddingNeverWins) {
  // All-negative input, kernel 2, pads (1, 1): [-5, max(-5,-3), -3].
  Tensor x({1, 1, 2}, {-5, -3});
  expectTensor(maxPool(x, Window{{2}, {}, {1, 1}, {}}, false), {1, 1, 3},
               {-5, -3, -3});
}

TEST(KernelsMaxPool, DilatedTwoDimensional) {
  // 4x4 x = 0..15, 2x2 kernel dilated by 2 (taps (0,0),(0,2),(2,0),(2,2)):
  // output 2x2, each the bottom-right tap x[i+2][j+2] = 10, 11, 14, 15.
  expectTensor(
      maxPool(iota({1, 1, 4, 4}), Window{{2, 2}, {}, {}, {2, 2}}, false),
      {1, 1, 2, 2}, {10, 11, 14, 15});
}

TEST(KernelsMaxPool, Errors) {
  Tensor x = iota({1, 1, 4});
  expectError(maxPool(x, Window{{}, {}, {}, {}}, false), "kernel sizes");
  expectError(maxPool(x, Window{{0}, {}, {}, {}}, false), "positive");
  expectError(maxPool(x, Window{{5}, {}, {}, {}}, false), "does not fit");
  expectError(maxPool(iota({4}), Window{{1}, {}, {}, {}}, false),
              "[N, C, D...]");
}

TEST(KernelsAvgPool, CountIncludePadBothWays) {
  // x = [1,2,3,4], kernel 3, pads (1, 1), 4 windows starting at -1..2:
  //   sums 0+1+2=3, 6, 9, 3+4+0=7
  //   excluding pad: 3/2, 6/3, 9/3, 7/2; including pad: 3/3, 2, 3, 7/3.
  Tensor x = iota({1, 1, 4}, 1);
  Window w{{3}, {}, {1, 1}, {}};
  expectTensor(avgPool(x, w, false, false), {1, 1, 4}, {1.5, 2, 3, 3.5});
  expectTensor(avgPool(x, w, false, true), {1, 1, 4}, {1, 2, 3, 7.0 / 3});
}

TEST(KernelsAvgPool, CeilModeWithPads) {
  // x = [1..5], kernel 3, stride 2, pads (1, 0), ceil: span 5+1-3 = 3,
  // ceil(3/2)+1 = 3 windows starting at -1, 1, 3 (3 < 5+1: kept).
  //   [pad,1,2]: exclude 3/2, include 3/3 (all three inside the padded
  //   extent [-1, 5));
  //   [2,3,4]: 3 both ways;
  //   [4,5,past the end]: 9/2 both ways: position 5 is outside even the
  //   padded input, so the divisor is clipped to 2.
  Tensor x = iota({1, 1, 5}, 1);
  Window w{{3}, {2}, {1, 0}, {}};
  expectTensor(avgPool(x, w, true, false), {1, 1, 3}, {1.5, 3, 4.5});
  expectTensor(avgPool(x, w, true, true), {1, 1, 3}, {1, 3, 4.5});
  // floor mode has 2 windows.
  expectTensor(avgPool(x, w, false, true), {1, 1, 2}, {1, 3});
  expectTensor(maxPool(x, w, true), {1, 1, 3}, {2, 4, 5});
}

TEST(KernelsAvgPool, CeilModeClippedWindowInsidePadding) {
  // x = [1..5], kernel 3, stride 2, pads (0, 1), ceil: span 5+1-3 = 3 ->
  // 3 windows starting at 0, 2, 4. The last covers 4, 5 (end pad), 6
  // (beyond): exclude 5/1, include 5/2 (positions 4 and 5 are in the padded
  // extent [0, 6)).
  Tensor x = iota({1, 1, 5}, 1);
  Window w{{3}, {2}, {0, 1}, {}};
  expectTensor(avgPool(x, w, true, false), {1, 1, 3}, {2, 4, 5});
  expectTensor(avgPool(x, w, true, true), {1, 1, 3}, {2, 4, 2.5});
}

TEST(KernelsAvgPool, TwoDimensionalPadsCorner) {
  // 2x2 x = [[1,2],[3,4]], kernel 2x2, pads 1 everywhere: 3x3 outputs.
  // Corner (0,0) sees only x[0][0] = 1: exclude 1/1, include 1/4.
  // Centre (1,1) sees everything: 10/4 both ways.
  // Edge (0,1) sees x[0][0], x[0][1]: exclude 3/2, include 3/4.
  Tensor x = iota({1, 1, 2, 2}, 1);
  Window w{{2, 2}, {}, {1, 1, 1, 1}, {}};
  expectTensor(avgPool(x, w, false, false), {1, 1, 3, 3},
               {1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4});
  expectTensor(avgPool(x, w, false, true), {1, 1, 3, 3},
               {0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1});
}

TEST(KernelsAvgPool, Dilated) {
  // x = [1..5], kernel 2 dilated by 2: (1+3)/2, (2+4)/2, (3+5)/2.
  expectTensor(
      avgPool(iota({1, 1, 5}, 1), Window{{2}, {}, {}, {2}}, false, false),
      {1, 1, 3}, {2, 3, 4});
}

TEST(KernelsGlobalAvgPool, Spatial) {
  // c0 = 1..4 -> 2.5, c1 = 5..8 -> 6.5.
  expectTensor(globalAvgPool(iota({1, 2, 2, 2}, 1)), {1, 2, 1, 1}, {2.5, 6.5});
  expectTensor(globalAvgPool(iota({2, 1, 3}, 1)), {2, 1, 1}, {2, 5});
  expectError(globalAvgPool(iota({3})), "[N, C, D...]");
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

TEST(KernelsReshape, InferredAndLiteralZero) {
  expectTensor(reshape(iota({2, 3}), {3, -1}), {3, 2}, {0, 1, 2, 3, 4, 5});
  expectTensor(reshape(iota({2, 3}), {-1}), {6}, {0, 1, 2, 3, 4, 5});
  expectTensor(reshape(iota({2, 3}), {1, 6, 1}), {1, 6, 1}, {0, 1, 2, 3, 4, 5});
  expectTensor(reshape(Tensor({1}, {7}), {}), {}, {7});
  // 0 is a literal zero, not "copy the input dimension".
  expectTensor(reshape(Tensor({2, 0}, {}), {0, 7}), {0, 7}, {});
  expectError(reshape(iota({2, 3}), {0, 6}), "cannot reshape");
}

TEST(KernelsReshape, Errors) {
  expectError(reshape(iota({2, 3}), {-1, -1}), "more than one -1");
  expectError(reshape(iota({2, 3}), {4, -1}), "cannot reshape");
  expectError(reshape(iota({2, 3}), {5}), "cannot reshape");
  expectError(reshape(iota({2, 3}), {-2, -3}), "negative");
  expectError(reshape(Tensor({2, 0}, {}), {0, -1}), "cannot infer");
}

TEST(KernelsTranspose, Permutations) {
  expectTensor(transpose(iota({2, 3}, 1), {1, 0}), {3, 2}, {1, 4, 2, 5, 3, 6});
  // Empty perm reverses.
  expectTensor(transpose(iota({2, 3}, 1), {}), {3, 2}, {1, 4, 2, 5, 3, 6});
  // out[i][j][k] = x[j][k][i] for perm {2, 0, 1}: check every element.
  Tensor x = iota({2, 3, 4});
  Result<Tensor> r = transpose(x, {2, 0, 1});
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(r.value->shape, (Shape{4, 2, 3}));
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t j = 0; j < 2; ++j)
      for (int64_t k = 0; k < 3; ++k)
        EXPECT_EQ(r.value->data[i * 6 + j * 3 + k], x.data[j * 12 + k * 4 + i]);
}

TEST(KernelsTranspose, Errors) {
  expectError(transpose(iota({2, 3}), {0, 0}), "not a permutation");
  expectError(transpose(iota({2, 3}), {0, 2}), "not a permutation");
  expectError(transpose(iota({2, 3}), {0}), "does not match rank");
}

TEST(KernelsConcat, Axes) {
  Tensor a({2, 1}, {1, 2});
  Tensor b({2, 2}, {3, 4, 5, 6});
  expectTensor(concat({&a, &b}, 1), {2, 3}, {1, 3, 4, 2, 5, 6});
  expectTensor(concat({&a, &b}, -1), {2, 3}, {1, 3, 4, 2, 5, 6});
  Tensor c({1, 2}, {7, 8});
  expectTensor(concat({&b, &c, &b}, 0), {5, 2}, {3, 4, 5, 6, 7, 8, 3, 4, 5, 6});
  expectTensor(concat({&a}, 0), {2, 1}, {1, 2});
}

TEST(KernelsConcat, Errors) {
  Tensor a({2, 1}, {1, 2});
  Tensor b({3, 2}, std::vector<double>(6, 0.0));
  Tensor v({2}, {1, 2});
  expectError(concat({&a, &b}, 1), "differ outside axis");
  expectError(concat({&a, &v}, 0), "differ in rank");
  expectError(concat({&a}, 2), "axis 2");
  expectError(concat({}, 0), "at least one");
}

TEST(KernelsSplit, Sizes) {
  Result<std::vector<Tensor>> r = split(iota({5}), 0, {2, 0, 3});
  ASSERT_TRUE(r) << r.error;
  ASSERT_EQ(r.value->size(), 3u);
  EXPECT_EQ((*r.value)[0].data, (std::vector<double>{0, 1}));
  EXPECT_EQ((*r.value)[1].shape, (Shape{0}));
  EXPECT_EQ((*r.value)[2].data, (std::vector<double>{2, 3, 4}));
  // Along axis 1 of [[0,1,2],[3,4,5]].
  r = split(iota({2, 3}), -1, {1, 2});
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ((*r.value)[0].shape, (Shape{2, 1}));
  EXPECT_EQ((*r.value)[0].data, (std::vector<double>{0, 3}));
  EXPECT_EQ((*r.value)[1].shape, (Shape{2, 2}));
  EXPECT_EQ((*r.value)[1].data, (std::vector<double>{1, 2, 4, 5}));
  expectError(split(iota({5}), 0, {2, 2}), "do not add up");
  expectError(split(iota({5}), 0, {6, -1}), "non-negative");
  expectError(split(iota({5}), 1, {5}), "axis 1");
}

TEST(KernelsSlice, PositiveSteps) {
  Tensor x = iota({10});
  expectTensor(slice(x, {1}, {8}, {3}), {3}, {1, 4, 7});
  expectTensor(slice(x, {-3}, {kMax}, {1}), {3}, {7, 8, 9});
  expectTensor(slice(x, {-3}, {kMax}, {}), {3}, {7, 8, 9});
  // Out-of-range start and end clamp to [0, 10].
  expectTensor(slice(x, {-100}, {2}, {1}), {2}, {0, 1});
  expectTensor(slice(x, {8}, {100}, {1}), {2}, {8, 9});
  // Empty when start >= end.
  expectTensor(slice(x, {5}, {5}, {1}), {0}, {});
  expectTensor(slice(x, {7}, {2}, {1}), {0}, {});
  expectTensor(slice(x, {0}, {kMax}, {kMax}), {1}, {0});
}

TEST(KernelsSlice, NegativeSteps) {
  Tensor x = iota({10});
  // start 20 clamps to 9; end -20 -> -10 clamps to -1: the whole reversal.
  expectTensor(slice(x, {20}, {-20}, {-1}), {10},
               {9, 8, 7, 6, 5, 4, 3, 2, 1, 0});
  expectTensor(slice(x, {-1}, {kMin}, {-1}), {10},
               {9, 8, 7, 6, 5, 4, 3, 2, 1, 0});
  // end -1 means index 9, not "before 0": empty.
  expectTensor(slice(x, {9}, {-1}, {-1}), {0}, {});
  expectTensor(slice(x, {8}, {1}, {-2}), {4}, {8, 6, 4, 2});
  expectTensor(slice(x, {-1}, {kMin}, {-3}), {4}, {9, 6, 3, 0});
  expectTensor(slice(x, {kMax}, {kMin}, {kMin}), {1}, {9});
  expectTensor(slice(x, {2}, {5}, {-1}), {0}, {});
  // Empty dimension.
  expectTensor(slice(Tensor({0}, {}), {-1}, {kMin}, {-1}), {0}, {});
  expectTensor(slice(Tensor({0}, {}), {0}, {kMax}, {1}), {0}, {});
}

TEST(KernelsSlice, TwoDimensional) {
  // Rows 0, 2 of a [3,4] iota, columns 3, 2, 1.
  expectTensor(slice(iota({3, 4}), {0, 3}, {3, 0}, {2, -1}), {2, 3},
               {3, 2, 1, 11, 10, 9});
}

TEST(KernelsSlice, Errors) {
  expectError(slice(iota({4}), {0}, {4}, {0}), "step");
  expectError(slice(iota({4}), {0, 0}, {4}, {1}), "one start, end and step");
}

TEST(KernelsGather, NegativeIndicesAndShapes) {
  Tensor data = iota({3, 2}, 1); // [[1,2],[3,4],[5,6]]
  // Rows 2 and -3 (= 0).
  expectTensor(gather(data, Tensor({2}, {2, -3}), 0), {2, 2}, {5, 6, 1, 2});
  // Scalar index drops the axis.
  expectTensor(gather(data, Tensor({}, {1}), 0), {2}, {3, 4});
  // 2-d indices along axis 1: out[r][i][j] = data[r][idx[i][j]].
  expectTensor(gather(data, Tensor({2, 2}, {1, 0, 0, -1}), 1), {3, 2, 2},
               {2, 1, 1, 2, 4, 3, 3, 4, 6, 5, 5, 6});
  expectTensor(gather(data, Tensor({2}, {-1, 0}), -1), {3, 2},
               {2, 1, 4, 3, 6, 5});
  // Middle axis of [2,3,2]: keep the leading and trailing axes around the
  // index shape.
  expectTensor(gather(iota({2, 3, 2}), Tensor({1}, {2}), 1), {2, 1, 2},
               {4, 5, 10, 11});
}

TEST(KernelsGather, Errors) {
  Tensor data = iota({3, 2});
  expectError(gather(data, Tensor({1}, {3}), 0), "out of range");
  expectError(gather(data, Tensor({1}, {-4}), 0), "out of range");
  expectError(gather(data, Tensor({1}, {0.5}), 0), "not an integer");
  expectError(gather(data, Tensor({1}, {0}), 2), "axis 2");
}

TEST(KernelsPad, Constant) {
  expectTensor(pad(Tensor({3}, {1, 2, 3}), {2, 1}, PadMode::Constant, 9), {6},
               {9, 9, 1, 2, 3, 9});
  expectTensor(pad(Tensor({1, 1}, {5}), {0, 1, 1, 0}, PadMode::Constant, 0),
               {2, 2}, {0, 5, 0, 0});
}

TEST(KernelsPad, Reflect) {
  // numpy.pad([1,2,3,4], (2,3), 'reflect') = [3,2,1,2,3,4,3,2,1].
  expectTensor(pad(Tensor({4}, {1, 2, 3, 4}), {2, 3}, PadMode::Reflect, 0), {9},
               {3, 2, 1, 2, 3, 4, 3, 2, 1});
  // numpy.pad([[1,2,3],[4,5,6]], 1, 'reflect').
  expectTensor(pad(iota({2, 3}, 1), {1, 1, 1, 1}, PadMode::Reflect, 0), {4, 5},
               {5, 4, 5, 6, 5, 2, 1, 2, 3, 2, 5, 4, 5, 6, 5, 2, 1, 2, 3, 2});
  // Pads beyond the dimension keep reflecting, as numpy.pad does:
  // numpy.pad([1,2,3], 7, 'reflect').
  expectTensor(pad(Tensor({3}, {1, 2, 3}), {7, 7}, PadMode::Reflect, 0), {17},
               {2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2});
}

TEST(KernelsPad, Edge) {
  expectTensor(pad(Tensor({3}, {1, 2, 3}), {2, 1}, PadMode::Edge, 0), {6},
               {1, 1, 1, 2, 3, 3});
  expectTensor(pad(iota({2, 2}, 1), {1, 0, 0, 1}, PadMode::Edge, 0), {3, 3},
               {1, 2, 2, 1, 2, 2, 3, 4, 4});
}

TEST(KernelsPad, NegativePadsCrop) {
  Tensor x = iota({5}, 1); // [1..5]
  expectTensor(pad(x, {-1, 2}, PadMode::Constant, 0), {6}, {2, 3, 4, 5, 0, 0});
  expectTensor(pad(x, {-2, -2}, PadMode::Constant, 0), {1}, {3});
  // Reflect and edge refer to the cropped data [2,3,4,5].
  expectTensor(pad(x, {-1, 1}, PadMode::Reflect, 0), {5}, {2, 3, 4, 5, 4});
  expectTensor(pad(x, {1, -1}, PadMode::Edge, 0), {5}, {1, 1, 2, 3, 4});
}

TEST(KernelsPad, Errors) {
  Tensor x = iota({3});
  expectError(pad(x, {1}, PadMode::Constant, 0), "expected 2 pads");
  expectError(pad(x, {-2, -2}, PadMode::Constant, 0), "crop more");
  expectError(pad(x, {-3, 1}, PadMode::Edge, 0), "empty dimension");
}

} // namespace
