// RUN: qopt %s -qcc-hls-narrow-integers=accumulator-bits=8 -verify-diagnostics

// A blanket accumulator too narrow for the sums: an error, not a wrap.
#x = affine_map<(n, k) -> (n, k)>
#y = affine_map<(n, k) -> (n)>
func.func @too_narrow(%x: tensor<1x64xi8>) -> tensor<1xi32> {
  %zero = arith.constant dense<0> : tensor<1xi32>
  // expected-error @below {{the accumulator needs 15 bits, more than accumulator-bits=8}}
  %acc = linalg.generic {indexing_maps = [#x, #y], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<1x64xi8>) outs(%zero : tensor<1xi32>) {
  ^bb0(%in: i8, %out: i32):
    %a = arith.extsi %in : i8 to i32
    %s = arith.addi %out, %a : i32
    linalg.yield %s : i32
  } -> tensor<1xi32>
  return %acc : tensor<1xi32>
}
