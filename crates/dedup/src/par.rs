//! Minimal data parallelism on scoped std threads (the CLI may use two cores).

/// Applies `f` to every index in `0..n` on up to `threads` threads, returning results in order.
/// Indices are dealt round-robin so that uneven work spreads evenly.
pub fn map<T: Send, F: Fn(usize) -> T + Sync>(n: usize, threads: usize, f: F) -> Vec<T> {
    let threads = threads.clamp(1, 64).min(n.max(1));
    if threads == 1 {
        return (0..n).map(f).collect();
    }
    let f = &f;
    let parts: Vec<Vec<T>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| s.spawn(move || (t..n).step_by(threads).map(f).collect::<Vec<T>>()))
            .collect();
        handles
            .into_iter()
            .map(|h| match h.join() {
                Ok(v) => v,
                Err(e) => std::panic::resume_unwind(e),
            })
            .collect()
    });
    let mut iters: Vec<_> = parts.into_iter().map(|v| v.into_iter()).collect();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        if let Some(x) = iters[i % threads].next() {
            out.push(x);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order() {
        let v = super::map(1001, 3, |i| i * 2);
        assert_eq!(v, (0..1001).map(|i| i * 2).collect::<Vec<_>>());
        assert!(super::map(0, 2, |i| i).is_empty());
    }
}
