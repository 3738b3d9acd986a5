//! How a run tells its progress (a progress bar), and a run nobody watches.

/// Told how a run advances (a progress bar); every method does nothing by default.
pub trait Progress: Sync {
    /// The run has listed this many inputs.
    fn files_found(&self, _count: usize) {}
    /// One more input has been read.
    fn file_done(&self) {}
}

/// Progress that nobody watches.
pub struct Quiet;

impl Progress for Quiet {}
