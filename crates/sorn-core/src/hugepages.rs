//! Transparent huge pages for the large synapse arrays.
//!
//! The push gathers one weight per synapse from a random place of an array of tens or hundreds of MB;
//! with 4 KiB pages nearly every such access also misses the TLB and walks the page table. Where the
//! kernel offers transparent huge pages only on request (`/sys/kernel/mm/transparent_hugepage/enabled` =
//! `madvise`, a common default), [`advise`] asks for 2 MiB pages on an array. It is a hint: nothing
//! changes when the kernel refuses it, on other systems it does nothing, and the values are never
//! affected.

/// Arrays below this size stay on normal pages (they are cache-resident anyway, and a huge page would
/// round their resident size up to 2 MiB).
const MIN_BYTES: usize = 8 << 20;

/// Asks the kernel to back `v` with huge pages. Call it right after allocating (e.g. with `vec![0; n]`,
/// whose fresh zero pages are not yet resident), so that the first write faults in huge pages directly.
pub(crate) fn advise<T>(v: &[T]) {
    let bytes = std::mem::size_of_val(v);
    if bytes < MIN_BYTES {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let start = (v.as_ptr() as usize).next_multiple_of(HUGE);
        let end = (v.as_ptr() as usize + bytes) & !(HUGE - 1);
        if end > start {
            // SAFETY: madvise only changes how the kernel backs these pages, never their contents; the
            // range lies inside `v`'s allocation and is aligned as madvise requires. A failure (e.g. no
            // THP support) leaves the pages as they are, so the result is ignored.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
            }
        }
    }
}
