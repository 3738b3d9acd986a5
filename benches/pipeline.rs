//! The pipeline benchmark (see BENCHMARKS.md).
fn main() {}
