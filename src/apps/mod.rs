//! Session Invite applications: the registry of programs and launching them.

pub mod launch;
