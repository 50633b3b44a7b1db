//! Tests of the application registry.

mod registration;
mod registry;
mod watch;

use std::path::PathBuf;

use crate::apps::{Guid, Registration};

/// A valid registration with this GUID and name.
fn sample(guid: &str, name: &str) -> Registration {
    Registration {
        guid: Guid::parse(guid).expect("test GUID"),
        name: name.to_string(),
        path: PathBuf::from("/opt/games/chess"),
        download_url: "https://example.org/chess".to_string(),
        args: vec!["--invite".to_string()],
        key: None,
    }
}
