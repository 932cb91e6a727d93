// RUN: qopt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{storage type must be f8E4M3FN, f8E5M2, f6E3M2FN, f6E2M3FN or f4E2M1FN, got 'f16'}}
func.func private @f(tensor<4x!qc.float<f16:f32, 0.5>>)

// -----

// expected-error @+1 {{storage type must be f8E4M3FN, f8E5M2, f6E3M2FN, f6E2M3FN or f4E2M1FN, got 'f8E8M0FNU'}}
func.func private @f(tensor<4x!qc.float<f8E8M0FNU:f32, 0.5>>)

// -----

// expected-error @+1 {{storage type must be f8E4M3FN, f8E5M2, f6E3M2FN, f6E2M3FN or f4E2M1FN, got 'i8'}}
func.func private @f(tensor<4x!qc.float<i8:f32, 0.5>>)

// -----

// expected-error @+1 {{expressed type must be f32, f16 or bf16, got 'f64'}}
func.func private @f(tensor<4x!qc.float<f8E4M3FN:f64, 0.5>>)

// -----

// expected-error @+1 {{scale #0 must be finite and positive, got -5.000000e-01}}
func.func private @f(tensor<4x!qc.float<f8E4M3FN:f32, -0.5>>)

// -----

// expected-error @+1 {{scale #1 must be finite and positive, got 0.000000e+00}}
func.func private @f(tensor<4x!qc.float<f8E4M3FN:f32:0, {0.5, 0.0}>>)

// -----

// expected-error @+1 {{expected at least one scale}}
func.func private @f(tensor<4x!qc.float<f8E4M3FN:f32:0, {}>>)

// -----

// expected-error @+1 {{a per-tensor type takes exactly one scale, got 2}}
func.func private @f(tensor<4x!qc.float<f8E4M3FN:f32, {0.5, 0.25}>>)

// -----

// expected-error @+1 {{quantized axis must be non-negative, got -2}}
func.func private @f(tensor<4x!qc.float<f8E4M3FN:f32:-2, {0.5}>>)

// -----

// expected-error @+1 {{expected '>'}}
func.func private @f(tensor<4x!qc.float<f8E4M3FN:f32, 0.5, 0.25>>)

// -----

// expected-error @+1 {{element type must be f8E4M3FN, f8E5M2, f6E3M2FN, f6E2M3FN or f4E2M1FN, got 'bf16'}}
func.func private @f(tensor<32x!qc.block<bf16:f32, scale = f8E8M0FNU, block = 32, axis = 0>>)

// -----

// expected-error @+1 {{expressed type must be f32, f16 or bf16, got 'i32'}}
func.func private @f(tensor<32x!qc.block<f4E2M1FN:i32, scale = f8E8M0FNU, block = 32, axis = 0>>)

// -----

// expected-error @+1 {{expressed type must be f32, f16 or bf16, got 'f64'}}
func.func private @f(tensor<32x!qc.block<f4E2M1FN:f64, scale = f8E8M0FNU, block = 32, axis = 0>>)

// -----

// expected-error @+1 {{block scale type must be f8E8M0FNU (MX) or f8E4M3FN (NVFP4), got 'f8E5M2'}}
func.func private @f(tensor<32x!qc.block<f4E2M1FN:f32, scale = f8E5M2, block = 32, axis = 0>>)

// -----

// expected-error @+1 {{block scale type must be f8E8M0FNU (MX) or f8E4M3FN (NVFP4), got 'i8'}}
func.func private @f(tensor<32x!qc.block<f4E2M1FN:f32, scale = i8, block = 32, axis = 0>>)

// -----

// expected-error @+1 {{block size must be positive, got 0}}
func.func private @f(tensor<32x!qc.block<f4E2M1FN:f32, scale = f8E8M0FNU, block = 0, axis = 0>>)

// -----

// expected-error @+1 {{block axis must be non-negative, got -1}}
func.func private @f(tensor<32x!qc.block<f4E2M1FN:f32, scale = f8E8M0FNU, block = 32, axis = -1>>)

// -----

// expected-error @+1 {{tensor_scale must be finite and positive, got 0.000000e+00}}
func.func private @f(tensor<32x!qc.block<f4E2M1FN:f32, scale = f8E4M3FN, block = 16, axis = 0, tensor_scale = 0.0>>)

// -----

// expected-error @+1 {{expected 'block'}}
func.func private @f(tensor<32x!qc.block<f4E2M1FN:f32, scale = f8E4M3FN, axis = 0>>)
