// A constant of 10^10 elements that a reduction reads.
func.func @main(%a: tensor<?x6xf32>) -> tensor<?x6xf32> {
  %big = arith.constant dense<1.0> : tensor<100000x100000xf32>
  %s = qc.reduce_sum %big {axes = array<i64: 0, 1>, keepdims = true} : tensor<100000x100000xf32> -> tensor<1x1xf32>
  %y = qc.add %a, %s : (tensor<?x6xf32>, tensor<1x1xf32>) -> tensor<?x6xf32>
  return %y : tensor<?x6xf32>
}
