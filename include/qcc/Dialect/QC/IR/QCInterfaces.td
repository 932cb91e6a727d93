//===- QCInterfaces.td - qc op interfaces and traits -------*- tablegen -*-===//
//
// Properties of qc graph ops that passes ask about: which ops are layers with
// weights (and where their weight, bias and channels are), which ops only
// move stored values (and so preserve a quantization), and which ops integer
// code computes with a rescale to their own output quantization.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_DIALECT_QC_IR_QCINTERFACES_TD
#define QCC_DIALECT_QC_IR_QCINTERFACES_TD

include "mlir/IR/OpBase.td"

def QC_WeightedLayerOpInterface : OpInterface<"WeightedLayerOpInterface"> {
  let cppNamespace = "::qcc::qc";
  let description = [{
    A network layer with a weight operand (`qc.conv`, `qc.conv_transpose`,
    `qc.gemm`, `qc.matmul`): the ops `qc-quantize` quantizes the weights of,
    calibration observes the inputs of and mixed precision assigns a format
    (`qc.weight_format`, `qc.act_format`) to.
  }];
  let methods = [
    InterfaceMethod<[{The index of the weight operand.}],
      "unsigned", "getWeightOperandIndex", (ins), [{}], [{ return 1; }]>,
    InterfaceMethod<[{The weight operand.}],
      "::mlir::Value", "getWeightOperand", (ins), [{}],
      [{ return $_op->getOperand($_op.getWeightOperandIndex()); }]>,
    InterfaceMethod<[{
        The index of the bias operand when the op has a bias slot (conv,
        conv_transpose: `bias`; gemm: `C`), whether or not it is present.
      }],
      "std::optional<unsigned>", "getBiasOperandIndex", (ins)>,
    InterfaceMethod<[{The bias operand, or null when absent.}],
      "::mlir::Value", "getBiasOperand", (ins), [{}], [{
        std::optional<unsigned> index = $_op.getBiasOperandIndex();
        if (!index || *index >= $_op->getNumOperands())
          return {};
        return $_op->getOperand(*index);
      }]>,
    InterfaceMethod<[{
        The indices of the activation operands (everything but the weight
        and the bias): the input, and for matmul both operands.
      }],
      "::llvm::SmallVector<unsigned>", "getActivationOperandIndices", (ins),
      [{}], [{ return {0}; }]>,
    InterfaceMethod<[{
        The output-channel axis of the weight: conv 0, conv_transpose 1,
        gemm 0 with `trans_b` else 1, matmul the last.
      }],
      "int64_t", "getWeightChannelAxis", (ins)>,
    InterfaceMethod<[{
        The reduction (input-channel) axis of the weight, along which groups
        of a group-wise quantization run: conv 1, conv_transpose 0, gemm 1
        with `trans_b` else 0, matmul the second to last.
      }],
      "int64_t", "getWeightReductionAxis", (ins)>,
    InterfaceMethod<[{
        The channel axis of the result: 1 for convolutions, the last for
        gemm and matmul.
      }],
      "int64_t", "getOutputChannelAxis", (ins)>,
  ];
}

// Every result element is one of the operands' elements (moved, or selected
// by max, which commutes with any monotone quantization): the op computes
// the same on stored integers as on real values when all operands and the
// result share one quantization, so it preserves a scale.
def QC_ScalePreserving : NativeOpTrait<"ScalePreserving"> {
  let cppNamespace = "::qcc::qc::OpTrait";
}

// Integer-only code computes this op on its activation operands' stored
// integers, each at its own scale, and rescales to the result's own
// quantization: calibration observes the operands and the result.
def QC_RescalesToResult : NativeOpTrait<"RescalesToResult"> {
  let cppNamespace = "::qcc::qc::OpTrait";
}

def QC_ScalarFunctionOpInterface : OpInterface<"ScalarFunctionOpInterface"> {
  let cppNamespace = "::qcc::qc";
  let description = [{
    An element-wise op whose every output element is a function of the input
    element alone (the activations: `qc.relu`, `qc.sigmoid`, `qc.hard_swish`,
    ...). `evaluate` is its reference semantics: the reference interpreter
    computes each element with it (in double, then rounded to the result
    type), and `qc-lower-to-integer` tabulates it over every input code of a
    quantized activation, so both agree by construction.
  }];
  let methods = [
    InterfaceMethod<[{The op's value at `x`, in double.}],
      "double", "evaluate", (ins "double":$x)>,
  ];
}

#endif // QCC_DIALECT_QC_IR_QCINTERFACES_TD
