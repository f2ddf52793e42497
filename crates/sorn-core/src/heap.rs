//! Handing freed memory back to the system.
//!
//! glibc's allocator serves blocks below its mmap threshold from the heap, and it raises that threshold
//! (up to 32 MB) whenever a larger mmap-ed block is freed; a freed heap block then stays in the resident
//! set until the allocator trims the heap's top. Building a network frees arrays of a few MB — the rows
//! of the fixed matrices, folded into their push caches — and at N_E = 10⁵ about 23 MB of them stayed
//! resident through the rest of the build and the run. [`trim`] returns such free memory.

/// Returns the allocator's free memory to the kernel (glibc's `malloc_trim`; elsewhere nothing). It
/// reads no live allocation and changes no value; O(heap), for the ends of builds, not for steps.
pub(crate) fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only hands free pages of the allocator back to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}
