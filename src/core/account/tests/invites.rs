//! Scripted tests: invites.
