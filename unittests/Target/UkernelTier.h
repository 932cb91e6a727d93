//===- UkernelTier.h - Micro-kernel tests run once per ISA tier -*- C++ -*-===//
//
// A TEST_P(UkernelTier, ...) runs once per ISA tier (QCC_CPU_TIER_*): each
// tier's kernel must equal the reference, so the tiers equal each other.
// Tiers this CPU lacks are skipped, with a message. Each test file that
// uses it instantiates it (INSTANTIATE_UKERNEL_TIERS()).
//
//===----------------------------------------------------------------------===//

#ifndef QCC_UNITTESTS_TARGET_UKERNELTIER_H
#define QCC_UNITTESTS_TARGET_UKERNELTIER_H

#include "qcc/Target/CPU/Ukernel.h"

#include <gtest/gtest.h>

#include <string>

class UkernelTier : public ::testing::TestWithParam<int> {
protected:
  void SetUp() override {
    if (!qcc_ukernel_cpu_tier_supported(GetParam()))
      GTEST_SKIP() << "this CPU lacks the "
                   << qcc_ukernel_cpu_tier_name(GetParam()) << " tier";
    ASSERT_EQ(qcc_ukernel_force_cpu_tier(GetParam()), GetParam());
  }
  void TearDown() override {
    qcc_ukernel_force_cpu_tier(qcc_ukernel_cpu_tier_available());
  }
};

#define INSTANTIATE_UKERNEL_TIERS()                                            \
  INSTANTIATE_TEST_SUITE_P(                                                    \
      AllTiers, UkernelTier,                                                   \
      ::testing::Values(QCC_CPU_TIER_GENERIC, QCC_CPU_TIER_AVX2,               \
                        QCC_CPU_TIER_AVXVNNI, QCC_CPU_TIER_AVX512VNNI,         \
                        QCC_CPU_TIER_AMX),                                    \
      [](const ::testing::TestParamInfo<int> &info) {                          \
        return std::string(qcc_ukernel_cpu_tier_name(info.param));             \
      })

#endif // QCC_UNITTESTS_TARGET_UKERNELTIER_H
