//! Tests of the application registry.
