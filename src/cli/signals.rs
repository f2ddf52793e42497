//! Ctrl-C, SIGTERM and SIGHUP during a run: the first asks the run to stop at the next step boundary
//! (it then writes a complete, resumable run directory of the steps done); a second Ctrl-C aborts.
//! SIGPIPE gets its default action, so `sorn … | head -1` ends quietly instead of panicking in `println!`.

use std::sync::atomic::{AtomicI32, Ordering};

/// The first stop signal received (0: none).
static RECEIVED: AtomicI32 = AtomicI32::new(0);

#[cfg(unix)]
extern "C" fn on_signal(sig: libc::c_int) {
    if RECEIVED.swap(sig, Ordering::SeqCst) != 0 && sig == libc::SIGINT {
        // SAFETY: signal and raise are async-signal-safe; the default action ends the process.
        unsafe {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::raise(libc::SIGINT);
        }
    }
}

/// Restores SIGPIPE's default action (Rust ignores it, which makes writes to a closed pipe panic).
pub fn default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal disposition to its default.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Installs the stop handlers for a run.
pub fn install() {
    #[cfg(unix)]
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: the handler only touches an atomic and async-signal-safe calls.
        unsafe {
            libc::signal(sig, on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t);
        }
    }
}

/// Whether a stop signal has arrived.
pub fn stop_requested() -> bool {
    RECEIVED.load(Ordering::SeqCst) != 0
}

/// The signal that stopped the run, if any, and its name.
pub fn received() -> Option<(i32, &'static str)> {
    #[cfg(unix)]
    {
        match RECEIVED.load(Ordering::SeqCst) {
            0 => None,
            libc::SIGINT => Some((libc::SIGINT, "Ctrl-C (SIGINT)")),
            libc::SIGTERM => Some((libc::SIGTERM, "SIGTERM")),
            libc::SIGHUP => Some((libc::SIGHUP, "SIGHUP")),
            s => Some((s, "a signal")),
        }
    }
    #[cfg(not(unix))]
    None
}
