//! Tests of roster.
