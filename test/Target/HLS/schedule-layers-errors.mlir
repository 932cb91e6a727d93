// RUN: qopt %s -qcc-hls-schedule-layers="layer-reuse-factors=/conv=2" -verify-diagnostics

// A reuse factor for a layer the design does not have.
// expected-error @below {{layer-reuse-factors: no layer is called '/conv' (the layers: /fc)}}
module {
  func.func private @qcc_model_layer0() attributes {hls.layer = "/fc"} {
    return
  }
}
