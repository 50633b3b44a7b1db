//! Scripted tests: contacts.
