//! Building a profile from several batch streams on several threads.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};

use arrow_array::RecordBatch;
use seismo_core::Schema;

use super::Profile;
use crate::error::StatsError;

/// Why a parallel profile could not be built: the input failed, or its data did not fit the
/// schema.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError<E> {
    /// Reading a batch failed.
    #[error(transparent)]
    Read(E),
    /// A batch did not fit the profile.
    #[error(transparent)]
    Stats(#[from] StatsError),
}

/// Profiles batches from `partitions` (each read on its own thread, in order) with `workers`
/// threads, and merges the results in input order.
///
/// Batches are handed over through a small bounded queue, so memory stays at a few batches
/// per thread whatever the input's size. `on_batch` is called with each batch's row count
/// after it is profiled (for progress bars). The first error stops every thread.
///
/// The result does not depend on scheduling: each batch is profiled on its own, with
/// quantile sketches seeded from its partition and position, and the batch profiles are
/// merged in input order (within a partition, then partition after partition). So the same
/// partitions give the same profile, byte for byte, on every run. Other partitions of the
/// same data (another thread count) give the same counts, nulls, distinct and top values,
/// and moments and quantiles equal to rounding and within the sketch's bound.
pub fn profile_partitions<E, I>(
    schema: &Schema,
    partitions: Vec<I>,
    workers: usize,
    on_batch: &(dyn Fn(u64) + Sync),
) -> Result<Profile, ProfileError<E>>
where
    E: Send,
    I: Iterator<Item = Result<RecordBatch, E>> + Send,
{
    let workers = workers.max(1);
    let count = partitions.len();
    let (tx, rx) = sync_channel::<(usize, u64, RecordBatch)>(workers * 2);
    let rx = Arc::new(Mutex::new(rx));
    let (done_tx, done_rx) = sync_channel::<(usize, u64, Profile)>(workers * 2);
    let stop = AtomicBool::new(false);
    let read_error: Mutex<Option<E>> = Mutex::new(None);

    let merged = std::thread::scope(|scope| {
        for (p, partition) in partitions.into_iter().enumerate() {
            let tx = tx.clone();
            let (stop, read_error) = (&stop, &read_error);
            scope.spawn(move || {
                for (b, batch) in (0u64..).zip(partition) {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    match batch {
                        Ok(batch) => {
                            if tx.send((p, b, batch)).is_err() {
                                return;
                            }
                        }
                        Err(e) => {
                            stop.store(true, Ordering::Relaxed);
                            read_error
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .get_or_insert(e);
                            return;
                        }
                    }
                }
            });
        }
        drop(tx);
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let (rx, done_tx) = (rx.clone(), done_tx.clone());
                let stop = &stop;
                scope.spawn(move || -> Result<(), StatsError> {
                    loop {
                        let next = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        let Ok((p, b, batch)) = next else {
                            return Ok(());
                        };
                        let mut partial = Profile::seeded(schema, batch_seed(p, b));
                        if let Err(e) = partial.update(&batch) {
                            stop.store(true, Ordering::Relaxed);
                            return Err(e);
                        }
                        on_batch(batch.num_rows() as u64);
                        if done_tx.send((p, b, partial)).is_err() {
                            return Ok(());
                        }
                    }
                })
            })
            .collect();
        drop((rx, done_tx));
        // Merge each partition's batch profiles in order; a batch finished early waits.
        let mut merged: Vec<Profile> = (0..count)
            .map(|p| Profile::seeded(schema, batch_seed(p, u64::MAX)))
            .collect();
        let mut next = vec![0u64; count];
        let mut waiting: BTreeMap<(usize, u64), Profile> = BTreeMap::new();
        let mut failed = None;
        for (p, b, partial) in done_rx {
            waiting.insert((p, b), partial);
            while let Some(partial) = waiting.remove(&(p, next[p])) {
                if let Err(e) = merged[p].merge(&partial) {
                    stop.store(true, Ordering::Relaxed);
                    failed.get_or_insert(e);
                }
                next[p] += 1;
            }
        }
        for h in handles {
            if let Err(e) = h
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            {
                failed.get_or_insert(e);
            }
        }
        match failed {
            Some(e) => Err(e),
            None => Ok(merged),
        }
    });

    if let Some(e) = read_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(ProfileError::Read(e));
    }
    let mut profile = Profile::new(schema);
    for partial in merged? {
        profile.merge(&partial)?;
    }
    Ok(profile)
}

/// The seed of batch `b` of partition `p`'s quantile sketches.
fn batch_seed(p: usize, b: u64) -> u64 {
    crate::random::SplitMix64::new(((p as u64) << 40) ^ b).next_u64()
}
