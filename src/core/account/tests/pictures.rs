//! Scripted tests: pictures.
