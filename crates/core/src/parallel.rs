//! `f` over a slice on scoped threads, results in the slice's order: the one parallel map
//! the stats, drift, rules, slices and model crates share.
//!
//! Items are handed out one at a time from a shared counter, so a slow item does not hold up
//! a whole chunk; each result lands in its item's slot, so the output order (and therefore
//! every report built from it) does not depend on which thread finished first.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` applied to every item on up to `threads` scoped threads; the results in item order.
/// With one thread (or one item) everything runs on the caller's thread: no thread is
/// started, which matters on request paths where starting one costs more than the work.
///
/// ```
/// use seismo_core::parallel::map_ordered;
/// let squares = map_ordered(&[1, 2, 3, 4], 2, |x| x * x);
/// assert_eq!(squares, [1, 4, 9, 16]);
/// ```
pub fn map_ordered<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let result = f(item);
                    *slots[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(|p| p.into_inner())
                .expect("every item was mapped: a panic in `f` ends the scope first")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_item_order_whatever_the_thread_count() {
        let items: Vec<u64> = (0..200).collect();
        let slow_first = |&x: &u64| {
            if x < 4 {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            x * 3
        };
        let expected: Vec<u64> = items.iter().map(|x| x * 3).collect();
        for threads in [0, 1, 2, 7, 500] {
            assert_eq!(map_ordered(&items, threads, slow_first), expected);
        }
        assert!(map_ordered(&[] as &[u64], 4, |x| *x).is_empty());
    }
}
