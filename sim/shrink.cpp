#include <otpsim/sim/shrink.hpp>

#include <algorithm>

namespace otp::sim {

ShrinkResult shrink_choices(std::vector<uint32_t> cur,
                            const std::function<bool(const std::vector<uint32_t>&)>& fails,
                            uint64_t max_attempts) {
  ShrinkResult r;
  auto attempt = [&](const std::vector<uint32_t>& cand) {
    if (r.attempts >= max_attempts) return false;
    ++r.attempts;
    if (!fails(cand)) return false;
    ++r.accepted;
    cur = cand;
    return true;
  };
  // Trailing zeros replay identically to a shorter list.
  auto trim = [&] {
    while (!cur.empty() && cur.back() == 0) cur.pop_back();
  };
  trim();
  for (bool progress = true; progress && r.attempts < max_attempts;) {
    progress = false;
    // 1. Cut the tail: the biggest simplification, tried by halving.
    for (size_t keep = cur.size() / 2; keep < cur.size();) {
      std::vector<uint32_t> cand(cur.begin(), cur.begin() + static_cast<long>(keep));
      if (attempt(cand)) {
        progress = true;
        keep = cur.size() / 2;
      } else {
        keep += std::max<size_t>(1, (cur.size() - keep) / 2);
      }
    }
    // 2. Delete chunks of 8, 4, 2, 1 from the back (later draws depend on earlier ones).
    for (size_t chunk : {8u, 4u, 2u, 1u}) {
      for (size_t i = cur.size(); i >= chunk && i > 0;) {
        size_t at = i - chunk;
        std::vector<uint32_t> cand = cur;
        cand.erase(cand.begin() + static_cast<long>(at), cand.begin() + static_cast<long>(i));
        if (attempt(cand)) progress = true;
        i = std::min(at, cur.size());
        if (r.attempts >= max_attempts) break;
      }
    }
    // 3. Make values smaller: zero, then halve.
    for (size_t i = 0; i < cur.size() && r.attempts < max_attempts; ++i) {
      if (cur[i] == 0) continue;
      std::vector<uint32_t> cand = cur;
      cand[i] = 0;
      if (attempt(cand)) {
        progress = true;
        continue;
      }
      for (uint32_t v = cur[i] / 2; v < cur[i]; v = v + (cur[i] - v + 1) / 2) {
        cand[i] = v;
        if (attempt(cand)) {
          progress = true;
          break;
        }
        if (cur[i] - v <= 1) break;
      }
    }
    trim();
  }
  r.choices = cur;
  return r;
}

}  // namespace otp::sim
