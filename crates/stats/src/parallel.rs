//! The parallel map seismo's crates share, kept here for callers that reach it through the
//! statistics crate: it lives in [`seismo_core::parallel`].

pub use seismo_core::parallel::map_ordered;
