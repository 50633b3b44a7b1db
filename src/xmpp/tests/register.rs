//! Tests of register.
