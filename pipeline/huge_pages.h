// Memory for the big tables that are probed at random (hash tables of a few
// megabytes, a probe or more per word): blocks of 1 MB or more are mapped on
// 2 MB boundaries and offered to the kernel as transparent huge pages before
// they are first touched, so that a probe rarely misses the TLB as well as
// the cache (in 4 KB pages nearly every one does). Smaller blocks come from
// operator new. Without huge pages (THP off) the memory works all the same.
//
//   std::vector<Slot, HugePageAllocator<Slot>> slots(1 << 20);
#pragma once

#include <cstddef>

namespace copydesk {

void* huge_page_allocate(size_t bytes);  // throws std::bad_alloc
void huge_page_deallocate(void* p, size_t bytes);

template <class T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(huge_page_allocate(n * sizeof(T))); }
  void deallocate(T* p, size_t n) { huge_page_deallocate(p, n * sizeof(T)); }
  bool operator==(const HugePageAllocator&) const = default;
};

}  // namespace copydesk
