//! Scripted-stanza tests of the account core.
