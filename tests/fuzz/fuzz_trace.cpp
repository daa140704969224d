// libFuzzer entry for the trace target (body in targets.cpp).
#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  otp::fuzz::trace(data, size);
  return 0;
}
