//===- QCDialectTest.cpp - C++ API of the qc dialect ----------------------===//
//
// What the passes and the interpreter rely on beyond the textual IR: the
// type getters' numerics views, the IR/numerics enum mapping, and verifier
// paths the parser cannot reach.
//
//===----------------------------------------------------------------------===//

#include "qcc/Dialect/QC/IR/QCOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace qcc;
using namespace qcc::qc;

namespace {

class QCDialectTest : public ::testing::Test {
protected:
  QCDialectTest() {
    context.loadDialect<QCDialect, func::FuncDialect, quant::QuantDialect>();
  }
  MLIRContext context;
};

TEST_F(QCDialectTest, RoundingModesMapOntoTheNumericsLibrary) {
  for (uint32_t i = 0; i <= getMaxEnumValForRoundingMode(); ++i) {
    const auto mode = static_cast<RoundingMode>(i);
    EXPECT_EQ(stringifyRoundingMode(mode).str(),
              std::string(numerics::stringifyRoundingMode(toNumerics(mode))));
  }
}

TEST_F(QCDialectTest, ScaledFloatVerifierAndAccessors) {
  Builder b(&context);
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &d) {
    message = d.str();
    return success();
  });
  auto loc = UnknownLoc::get(&context);
  auto emitError = [&] { return mlir::emitError(loc); };
  const FloatType fp8 = b.getType<Float8E4M3FNType>();
  EXPECT_FALSE(ScaledFloatType::getChecked(emitError, &context, fp8,
                                           b.getF32Type(),
                                           b.getDenseF64ArrayAttr({}), 0));
  EXPECT_EQ(message, "expected at least one scale");

  const FloatType fp6 = b.getType<Float6E3M2FNType>();
  auto type = ScaledFloatType::get(&context, fp6, b.getF16Type(),
                                   b.getDenseF64ArrayAttr({0.5, 0.25}), 1);
  EXPECT_TRUE(type.isPerAxis());
  EXPECT_EQ(type.getStorageKind(), numerics::MinifloatKind::F6E3M2FN);
  EXPECT_EQ(getExpressedType(type), b.getF16Type());
  EXPECT_TRUE(isQuantizedElementType(type));
  EXPECT_FALSE(isQuantizedElementType(b.getF32Type()));
}

TEST_F(QCDialectTest, BlockScaledFormat) {
  Builder b(&context);
  const FloatType fp4 = b.getType<Float4E2M1FNType>();
  const FloatType e4m3 = b.getType<Float8E4M3FNType>();
  auto nvfp4 = BlockScaledType::get(&context, fp4, b.getF32Type(), e4m3, 16, 1,
                                    llvm::APFloat(0.0025));
  numerics::BlockFormat format = nvfp4.getBlockFormat();
  EXPECT_EQ(format.elementKind, numerics::MinifloatKind::F4E2M1FN);
  EXPECT_EQ(format.scaleKind, numerics::MinifloatKind::F8E4M3FN);
  EXPECT_EQ(format.blockSize, 16u);
  EXPECT_EQ(format.tensorScale, 0.0025f);
}

TEST_F(QCDialectTest, RescaleParamsMatchTheAttributes) {
  const char *source = R"mlir(
    func.func @f(%x: tensor<2x3xi32>) -> tensor<2x3xi8> {
      %0 = qc.rescale %x multiplier [1073741824, 1, 2] shift [31, 40, 62]
          axis 1 zp (-7, 100) {output_unsigned,
          rounding_mode = #qc.rescale_rounding<double_round>}
          : tensor<2x3xi32> -> tensor<2x3xi8>
      return %0 : tensor<2x3xi8>
    })mlir";
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(source, &context);
  ASSERT_TRUE(module);
  RescaleOp rescale;
  module->walk([&](RescaleOp op) { rescale = op; });
  ASSERT_TRUE(rescale);
  numerics::RescaleParams params = rescale.getRescaleParams(0);
  EXPECT_EQ(params.multiplier, 1073741824);
  EXPECT_EQ(params.shift, 31);
  // Negative zero points come back negative (I64Attr would zero-extend).
  EXPECT_EQ(params.inputZeroPoint, -7);
  EXPECT_EQ(params.outputZeroPoint, 100);
  EXPECT_TRUE(params.scale32);
  EXPECT_TRUE(params.doubleRound);
  EXPECT_EQ(params.outputBits, 8u);
  EXPECT_TRUE(params.outputUnsigned);
  EXPECT_EQ(rescale.getRescaleParams(2).shift, 62);
  // (93 + 7) * 0.5 + 100 = 150 fits the unsigned output.
  EXPECT_EQ(numerics::rescale(93, params), 150);
}

} // namespace
