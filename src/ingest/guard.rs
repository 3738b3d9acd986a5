//! Catching a panic quietly: the program turns a panic while reading or
//! checking one file into an issue for that file (`F010`), so the panic's text
//! and backtrace, which Rust prints on stderr before unwinding, are noise to
//! the user at best, and look like a crash of the whole run at worst.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::sync::Once;

thread_local! {
    /// How many [`catch_quietly`] calls are running on this thread.
    static GUARDED: Cell<u32> = const { Cell::new(0) };
    /// What the last panic caught on this thread said, and where.
    static LAST: RefCell<Option<CaughtPanic>> = const { RefCell::new(None) };
}

/// A panic that [`catch_quietly`] caught: its message and where it was raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaughtPanic {
    pub message: String,
    /// `file:line:column` of the panic.
    pub location: String,
}

impl std::fmt::Display for CaughtPanic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Runs `f`, giving back what it returns, or the panic it raised, which is
/// not printed: the caller reports it in its own terms.
///
/// A panic elsewhere (another thread, or outside any such call) is printed
/// as usual.
///
/// ```
/// use tonghop::ingest::catch_quietly;
/// assert_eq!(catch_quietly(|| 2 + 2), Ok(4));
/// let caught = catch_quietly(|| -> u8 { panic!("broken record") }).unwrap_err();
/// assert_eq!(caught.message, "broken record");
/// ```
pub fn catch_quietly<T>(f: impl FnOnce() -> T) -> Result<T, CaughtPanic> {
    install_quiet_hook();
    GUARDED.with(|g| g.set(g.get() + 1));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(g.get() - 1));
    result.map_err(|_| {
        LAST.with(|last| last.borrow_mut().take())
            .unwrap_or_else(|| CaughtPanic { message: "unknown panic".into(), location: String::new() })
    })
}

/// Wraps the panic hook in force (Rust's, which prints) once: a panic inside
/// [`catch_quietly`] is recorded instead of printed.
fn install_quiet_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if GUARDED.with(Cell::get) == 0 {
                previous(info);
            } else {
                LAST.with(|last| *last.borrow_mut() = Some(caught(info)));
            }
        }));
    });
}

fn caught(info: &PanicHookInfo<'_>) -> CaughtPanic {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic without a message".into());
    let location = info.location().map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column())).unwrap_or_default();
    CaughtPanic { message, location }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caught_panic_gives_its_message_and_place() {
        let caught = catch_quietly(|| -> () { panic!("index {} out of range", 7) }).unwrap_err();
        assert_eq!(caught.message, "index 7 out of range");
        assert!(caught.location.contains("guard.rs"), "{caught}");
    }

    #[test]
    fn nested_calls_stay_quiet_and_the_count_returns_to_zero() {
        let outer = catch_quietly(|| catch_quietly(|| -> () { panic!("inner") }).unwrap_err().message);
        assert_eq!(outer, Ok("inner".to_string()));
        assert_eq!(GUARDED.with(Cell::get), 0);
    }
}
