// y = 2 * x: the reference for abi1_model.c.
func.func @main(%x: tensor<?x6xf32>) -> tensor<?x6xf32> {
  %y = qc.add %x, %x : (tensor<?x6xf32>, tensor<?x6xf32>) -> tensor<?x6xf32>
  return %y : tensor<?x6xf32>
}
