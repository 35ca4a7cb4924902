//! Building a profile from several batch streams on several threads.

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
/// threads that each build a partial profile; the partials are merged at the end.
///
/// Batches are handed over through a small bounded queue, so memory stays at a few batches
/// per thread whatever the input's size. `on_batch` is called with each batch's row count
/// after it is profiled (for progress bars). The first error stops every thread.
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
    let (tx, rx) = sync_channel::<RecordBatch>(workers * 2);
    let rx = Arc::new(Mutex::new(rx));
    let stop = AtomicBool::new(false);
    let read_error: Mutex<Option<E>> = Mutex::new(None);

    let partials = std::thread::scope(|scope| {
        for partition in partitions {
            let tx = tx.clone();
            let (stop, read_error) = (&stop, &read_error);
            scope.spawn(move || {
                for batch in partition {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    match batch {
                        Ok(batch) => {
                            if tx.send(batch).is_err() {
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
                let rx = rx.clone();
                let stop = &stop;
                scope.spawn(move || -> Result<Profile, StatsError> {
                    let mut profile = Profile::new(schema);
                    loop {
                        let next = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        let Ok(batch) = next else { return Ok(profile) };
                        if let Err(e) = profile.update(&batch) {
                            stop.store(true, Ordering::Relaxed);
                            return Err(e);
                        }
                        on_batch(batch.num_rows() as u64);
                    }
                })
            })
            .collect();
        drop(rx);
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect::<Vec<_>>()
    });

    if let Some(e) = read_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(ProfileError::Read(e));
    }
    let mut profile = Profile::new(schema);
    for partial in partials {
        profile.merge(&partial?)?;
    }
    Ok(profile)
}
