#pragma once
// A process mailbox: a ring buffer with O(1) push/pop at the ends and removal anywhere
// (selective receive takes the first match, usually near the front). std::deque would
// allocate ~600 bytes for an empty mailbox, which idle processes cannot afford.
#include <cassert>
#include <cstddef>
#include <utility>
#include <vector>

#include <otpsim/core/kernel/message.hpp>
#include <otpsim/core/memory/block_cache.hpp>
#include <otpsim/core/memory/prefetch.hpp>

namespace otp {

class Mailbox {
 public:
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  Message& operator[](size_t i) {
    assert(i < count_);
    return buf_[(head_ + i) & (buf_.size() - 1)];
  }
  void push(Message&& m) {
    if (count_ == buf_.size()) grow();
    buf_[(head_ + count_) & (buf_.size() - 1)] = std::move(m);
    ++count_;
  }
  Message take(size_t i) {
    assert(i < count_);
    Message out = std::move((*this)[i]);
    if (i == 0 && count_ > 1) prefetch(&(*this)[1], sizeof(Message));  // read next, cold in a flood
    if (i < count_ / 2) {  // shift the front part right by one
      for (size_t k = i; k > 0; --k) (*this)[k] = std::move((*this)[k - 1]);
      head_ = (head_ + 1) & (buf_.size() - 1);
    } else {  // shift the back part left by one
      for (size_t k = i; k + 1 < count_; ++k) (*this)[k] = std::move((*this)[k + 1]);
    }
    --count_;
    return out;
  }
  void clear() {
    buf_.clear();
    head_ = count_ = 0;
  }

 private:
  void grow() {
    Buffer bigger;
    bigger.reserve(buf_.empty() ? 4 : buf_.size() * 2);
    for (size_t i = 0; i < count_; ++i) bigger.push_back(std::move((*this)[i]));
    bigger.resize(bigger.capacity());
    buf_ = std::move(bigger);
    head_ = 0;
  }
  // From the block cache up to 64 messages: a process that receives anything allocates one.
  using Buffer = std::vector<Message, block_cache::Allocator<Message>>;
  Buffer buf_;  // size is 0 or a power of two
  size_t head_ = 0;
  size_t count_ = 0;
};

}  // namespace otp
