//! Tests of presence.
