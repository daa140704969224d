#pragma once
// A sorted set (Entry = a key) or map (Entry = KeyValue) that holds up to N entries in place
// and moves them to a tree on the block cache past N, back in place once the tree is empty.
// A process's links, monitors and reply aliases are mostly one or two (a call's monitor and
// alias, a worker's link to its supervisor) and come and go on every call: in place they cost
// a shift of a few words, where a tree node cost an allocation and a rebalance on the way in and
// out. A supervisor's links to its many children go to the tree, as before. Either way the
// entries are walked in key order: exit signals go out in that order, and the order is part of
// a deterministic trace.
#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <set>
#include <utility>

#include <otpsim/core/memory/block_cache.hpp>

namespace otp {

template <class K, class V>
struct KeyValue {
  K key;
  mutable V value;  // a tree's entries are const: the value may change, never the key
};

namespace small_sorted_detail {
template <class E>
struct Traits {
  using Key = E;
  static const Key& key(const E& e) { return e; }
  static void assign(const E&, const E&) {}  // a set's entry is its key
  using Less = std::less<>;
};
template <class K, class V>
struct Traits<KeyValue<K, V>> {
  using Key = K;
  static const Key& key(const KeyValue<K, V>& e) { return e.key; }
  static void assign(const KeyValue<K, V>& to, const KeyValue<K, V>& from) { to.value = from.value; }
  struct Less {
    using is_transparent = void;
    bool operator()(const KeyValue<K, V>& a, const KeyValue<K, V>& b) const { return a.key < b.key; }
    bool operator()(const KeyValue<K, V>& a, const K& b) const { return a.key < b; }
    bool operator()(const K& a, const KeyValue<K, V>& b) const { return a < b.key; }
  };
};
}  // namespace small_sorted_detail

template <class Entry, size_t N>
class SmallSorted {
  using Traits = small_sorted_detail::Traits<Entry>;
  using Tree = std::set<Entry, typename Traits::Less, block_cache::Allocator<Entry>>;
  static_assert(N >= 1 && N <= 64, "a few entries in place");

 public:
  using key_type = typename Traits::Key;
  using value_type = Entry;

  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Entry;
    using difference_type = std::ptrdiff_t;
    using pointer = const Entry*;
    using reference = const Entry&;
    const_iterator() = default;
    reference operator*() const { return in_place_ ? *p_ : *t_; }
    pointer operator->() const { return &**this; }
    const_iterator& operator++() {
      if (in_place_)
        ++p_;
      else
        ++t_;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator old = *this;
      ++*this;
      return old;
    }
    // Iterators of one container, as for the standard containers.
    friend bool operator==(const const_iterator& a, const const_iterator& b) {
      return a.in_place_ ? a.p_ == b.p_ : a.t_ == b.t_;
    }

   private:
    friend class SmallSorted;
    explicit const_iterator(const Entry* p) : p_(p) {}
    explicit const_iterator(typename Tree::const_iterator t) : t_(t), in_place_(false) {}
    const Entry* p_ = nullptr;
    typename Tree::const_iterator t_{};
    bool in_place_ = true;
  };

  SmallSorted() = default;
  SmallSorted(const SmallSorted&) = delete;
  SmallSorted& operator=(const SmallSorted&) = delete;

  size_t size() const { return tree_ ? tree_->size() : n_; }
  bool empty() const { return size() == 0; }
  const_iterator begin() const { return tree_ ? const_iterator(tree_->cbegin()) : const_iterator(items_.data()); }
  const_iterator end() const { return tree_ ? const_iterator(tree_->cend()) : const_iterator(items_.data() + n_); }

  const_iterator find(const key_type& k) const {
    if (tree_) return const_iterator(tree_->find(k));
    const Entry* p = lower_bound(k);
    return p != items_.data() + n_ && Traits::key(*p) == k ? const_iterator(p) : end();
  }
  bool contains(const key_type& k) const { return find(k) != end(); }

  // Adds e unless an entry with its key is there; whether it was added.
  bool insert(const Entry& e) {
    if (tree_) return tree_->insert(e).second;
    Entry* p = lower_bound(Traits::key(e));
    if (p != items_.data() + n_ && Traits::key(*p) == Traits::key(e)) return false;
    insert_at(p, e);
    return true;
  }
  // Adds e, or replaces the entry with its key (one search either way).
  void insert_or_assign(const Entry& e) {
    if (tree_) {
      auto [it, added] = tree_->insert(e);
      if (!added) Traits::assign(*it, e);
      return;
    }
    Entry* p = lower_bound(Traits::key(e));
    if (p != items_.data() + n_ && Traits::key(*p) == Traits::key(e))
      Traits::assign(*p, e);
    else
      insert_at(p, e);
  }

  size_t erase(const key_type& k) {
    auto it = find(k);
    if (it == end()) return 0;
    erase(it);
    return 1;
  }
  void erase(const_iterator it) {
    if (tree_) {
      assert(!it.in_place_);
      tree_->erase(it.t_);
      if (tree_->empty()) tree_.reset();  // back in place: a drained supervisor keeps no tree
      return;
    }
    assert(it.in_place_ && it.p_ >= items_.data() && it.p_ < items_.data() + n_);
    Entry* p = items_.data() + (it.p_ - items_.data());
    std::move(p + 1, items_.data() + n_, p);
    --n_;
  }

 private:
  const Entry* lower_bound(const key_type& k) const {
    return std::lower_bound(items_.data(), items_.data() + n_, k,
                            [](const Entry& e, const key_type& key) { return Traits::key(e) < key; });
  }
  Entry* lower_bound(const key_type& k) {
    return const_cast<Entry*>(std::as_const(*this).lower_bound(k));
  }
  // e's place in the sorted entries is p (its key is not there).
  void insert_at(Entry* p, const Entry& e) {
    if (n_ == N) {
      spill();
      tree_->insert(e);
      return;
    }
    Entry* last = items_.data() + n_;
    std::move_backward(p, last, last + 1);
    *p = e;
    ++n_;
  }
  void spill() {
    assert(!tree_ && n_ == N);
    tree_.reset(new (block_cache::allocate(sizeof(Tree))) Tree());
    for (uint32_t i = 0; i < n_; ++i) tree_->insert(tree_->end(), items_[i]);  // sorted: a hint each
    n_ = 0;
  }
  struct FreeTree {
    void operator()(Tree* t) const noexcept {
      t->~Tree();
      block_cache::deallocate(t, sizeof(Tree));
    }
  };

  std::array<Entry, N> items_{};  // [0, n_) sorted, while there is no tree
  uint32_t n_ = 0;
  std::unique_ptr<Tree, FreeTree> tree_;
};

}  // namespace otp
