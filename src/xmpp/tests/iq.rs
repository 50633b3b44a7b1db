//! Tests of iq.
