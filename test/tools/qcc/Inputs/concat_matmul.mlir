// A two-branch model whose branches are concatenated before a matmul
// (the input of `qcc quantize` tests of scale unification).
func.func @main(%a: tensor<?x6xf32> {onnx.name = "a"}) -> (tensor<?x4xf32> {onnx.name = "y"}) {
  %r = qc.relu %a : tensor<?x6xf32> loc("relu")
  %s = qc.sigmoid %a : tensor<?x6xf32> loc("sigmoid")
  %c = qc.concat %r, %s {axis = 1 : i64} : (tensor<?x6xf32>, tensor<?x6xf32>) -> tensor<?x12xf32> loc("concat")
  %w = arith.constant dense<0.25> : tensor<12x4xf32> loc("w")
  %y = qc.matmul %c, %w : (tensor<?x12xf32>, tensor<12x4xf32>) -> tensor<?x4xf32> loc("fc")
  return %y : tensor<?x4xf32>
}
