//! SIGTERM, SIGINT and SIGHUP during an ingest: noted instead of killing the process, so the
//! ingest stops at its next check, removes what it wrote and exits with 128 + the signal.

use std::sync::atomic::{AtomicI32, Ordering};

static RECEIVED: AtomicI32 = AtomicI32::new(0);

extern "C" fn note(signal: libc::c_int) {
    // Only an atomic store: nothing else is safe inside a signal handler.
    RECEIVED.store(signal, Ordering::SeqCst);
}

/// From now on the three signals are noted (see `received`) rather than fatal. SA_RESTART keeps
/// blocking reads and writes from failing with EINTR.
pub fn catch_termination() {
    for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
        // SAFETY: a zeroed sigaction is valid; the handler only stores to an atomic.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = note as *const () as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// The signal received since `catch_termination`, if any.
pub fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// The error that stops work once a signal was noted.
pub fn stop_if_signalled() -> crate::error::Result<()> {
    match received() {
        Some(signal) => Err(crate::error::Error::Interrupted {
            signal,
            signal_name: name(signal).to_owned(),
        }),
        None => Ok(()),
    }
}

/// The signal's name for messages.
pub fn name(signal: i32) -> &'static str {
    match signal {
        libc::SIGTERM => "SIGTERM",
        libc::SIGINT => "SIGINT",
        libc::SIGHUP => "SIGHUP",
        _ => "a signal",
    }
}

/// For tests: with `LITSEARCH_TEST_STOP_HOLDING_LOCK` set, the process stops itself (SIGSTOP)
/// here, so a test can overlap a second ingest with this one without racing it, and let it go
/// on with SIGCONT.
pub fn stop_here_for_tests() {
    if std::env::var_os("LITSEARCH_TEST_STOP_HOLDING_LOCK").is_some() {
        // SAFETY: raising a signal has no memory-safety preconditions.
        unsafe {
            libc::raise(libc::SIGSTOP);
        }
    }
}
