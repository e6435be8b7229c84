#include "pipeline/huge_pages.h"

#include <sys/mman.h>

#include <cstdint>
#include <new>

namespace copydesk {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kHugeMin = size_t{1} << 20;  // smaller blocks use operator new
size_t huge_bytes(size_t bytes) { return (bytes + kHugePage - 1) / kHugePage * kHugePage; }

}  // namespace

void* huge_page_allocate(size_t bytes) {
  if (bytes < kHugeMin) return ::operator new(bytes);
  // A fresh mapping (heap memory may be reused, already touched in 4 KB
  // pages), trimmed to a 2 MB-aligned run.
  const size_t len = huge_bytes(bytes);
  void* m =
      mmap(nullptr, len + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<uintptr_t>(m);
  const uintptr_t aligned = (start + kHugePage - 1) & ~(kHugePage - 1);
  if (aligned > start) munmap(m, aligned - start);
  if (const uintptr_t tail = start + len + kHugePage - (aligned + len))
    munmap(reinterpret_cast<void*>(aligned + len), tail);
  madvise(reinterpret_cast<void*>(aligned), len, MADV_HUGEPAGE);  // a hint: without it, plain pages
  return reinterpret_cast<void*>(aligned);
}

void huge_page_deallocate(void* p, size_t bytes) {
  if (bytes < kHugeMin)
    ::operator delete(p);
  else
    munmap(p, huge_bytes(bytes));
}

}  // namespace copydesk
