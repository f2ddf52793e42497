//! Kernels compiled twice, for baseline x86-64 and for AVX2, with the choice made at run time.
//!
//! Portable builds target baseline x86-64 (SSE2: two f64 per vector instruction, no gathers or
//! blends of four lanes). A loop whose elements are independent — the same arithmetic on each, no
//! reduction — gives the same bits at any vector width (Rust never contracts a multiplication and an
//! addition into one rounding, and never reassociates), so such a loop can run as AVX2 code where the
//! CPU has it. [`avx2_kernel!`](crate::avx2_kernel) defines a function that checks once per call
//! (`is_x86_feature_detected!`, a cached flag) and runs the body compiled for AVX2 or for the baseline.
//! Only kernels of that kind may use it; their tests compare the dispatched kernel with a plain loop bit
//! for bit.

/// Defines `fn NAME<G: Bound, …>(arg: Type, …) [-> R] { body }` whose body is compiled for the baseline
/// and for AVX2, and runs the AVX2 version where the CPU supports it. The body must not depend on the
/// vector width for its result (see the module doc).
#[macro_export]
macro_rules! avx2_kernel {
    ($(#[$meta:meta])* $vis:vis fn $name:ident<$($g:ident: $bound:path),*>($($arg:ident: $ty:ty),* $(,)?)
        $(-> $ret:ty)? $body:block) => {
        $(#[$meta])*
        $vis fn $name<$($g: $bound),*>($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn plain<$($g: $bound),*>($($arg: $ty),*) $(-> $ret)? $body

            /// # Safety
            /// The CPU must support AVX2.
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2")]
            unsafe fn avx2<$($g: $bound),*>($($arg: $ty),*) $(-> $ret)? {
                plain($($arg),*)
            }

            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2, checked just above.
                return unsafe { avx2($($arg),*) };
            }
            plain($($arg),*)
        }
    };
}
