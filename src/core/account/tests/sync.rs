//! Scripted tests: sync.
