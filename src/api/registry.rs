//! What the API needs from the registered applications: their public view and their keys.
//!
//! The registry is the profile's `apps/` folder, one TOML file per application (fields `guid`,
//! `name`, `path`, `download_url`, `args`, `key`; see docs/apps.md). It is read afresh on each
//! request, so an application registered while Nudge runs is usable at once. A file that does
//! not parse is skipped here; `nudge apps list` is where the user learns about it.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::AppInfo;

/// One registration as the API reads it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct AppRecord {
    /// `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`, canonical once read.
    pub guid: String,
    /// The name shown in menus.
    pub name: String,
    /// The program.
    pub path: PathBuf,
    /// Where to get it (https).
    pub download_url: String,
    /// The secret for the challenge/response unlock; never shown.
    #[serde(default)]
    pub key: Option<String>,
}

impl AppRecord {
    /// The public view: everything but the key.
    pub fn info(&self) -> AppInfo {
        AppInfo {
            guid: self.guid.clone(),
            name: self.name.clone(),
            download_url: self.download_url.clone(),
            installed: is_executable(&self.path),
        }
    }
}

/// The canonical form of an application GUID (uppercase, braces), or `None` when `text` is not
/// `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}` with hex digits.
pub fn canonical_guid(text: &str) -> Option<String> {
    let inner = text.strip_prefix('{')?.strip_suffix('}')?;
    let groups: Vec<&str> = inner.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    let well_formed = groups.len() == lengths.len()
        && groups.iter().zip(lengths).all(|(group, length)| {
            group.len() == length && group.bytes().all(|b| b.is_ascii_hexdigit())
        });
    well_formed.then(|| text.to_ascii_uppercase())
}

/// Every readable registration in `dir`, sorted by name then GUID; a GUID registered twice
/// counts once (the first file by name wins, as the registry's own loader does).
pub fn records(dir: &Path) -> Vec<AppRecord> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut records: Vec<AppRecord> = Vec::new();
    for file in files {
        let Some(mut record) = read_record(&file) else {
            continue;
        };
        let Some(guid) = canonical_guid(&record.guid) else {
            continue;
        };
        record.guid = guid;
        // An empty key cannot unlock: with no secret anyone can answer the challenge.
        if record
            .key
            .as_deref()
            .is_some_and(|key| !super::access::usable_key(key))
        {
            tracing::warn!(
                "the key in {} is not usable, so the application cannot unlock with it",
                file.display()
            );
            record.key = None;
        }
        if !records.iter().any(|r| r.guid == record.guid) {
            records.push(record);
        }
    }
    records.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.guid.cmp(&b.guid)));
    records
}

/// One registration file, read only if it is a regular file of registration size.
fn read_record(file: &Path) -> Option<AppRecord> {
    let bytes =
        crate::platform::files::read_regular(file, crate::apps::registry::MAX_FILE_BYTES).ok()?;
    parse_record(std::str::from_utf8(&bytes).ok()?)
}

/// The text of a registration file as the API reads it (no checks beyond the format).
pub fn parse_record(text: &str) -> Option<AppRecord> {
    toml::from_str(text).ok()
}

/// The registration of `guid` (any case), if there is one.
pub fn find(dir: &Path, guid: &str) -> Option<AppRecord> {
    let guid = canonical_guid(guid)?;
    records(dir).into_iter().find(|r| r.guid == guid)
}

fn is_executable(path: &Path) -> bool {
    let Ok(metadata) = fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        metadata.is_file() && metadata.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        metadata.is_file()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUID: &str = "{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C}";

    fn write(dir: &Path, file: &str, text: &str) {
        fs::write(dir.join(file), text).expect("write");
    }

    #[test]
    fn guids_are_checked_and_made_uppercase() {
        assert_eq!(canonical_guid(&GUID.to_lowercase()).as_deref(), Some(GUID));
        for bad in [
            "",
            "6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6C",
            "{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6}",
            "{6B2A1C44-0F3B-4D5E-9A7C1E2D3F4A5B6C}",
            "{6B2A1C44-0F3B-4D5E-9A7C-1E2D3F4A5B6G}",
            "{../../etc/passwd}",
        ] {
            assert_eq!(canonical_guid(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn records_are_read_sorted_and_keys_stay_private() {
        let dir = tempfile::tempdir().expect("dir");
        write(
            dir.path(),
            "b.toml",
            &format!(
                "guid = \"{}\"\nname = \"Tic-Tac-Toe\"\npath = \"/bin/sh\"\n\
                 download_url = \"https://example.org/t\"\nargs = [\"-x\"]\nkey = \"k1\"\n",
                GUID.to_lowercase()
            ),
        );
        write(
            dir.path(),
            "a.toml",
            "guid = \"{00000000-0000-0000-0000-000000000001}\"\nname = \"Chess\"\n\
             path = \"/nonexistent/chess\"\ndownload_url = \"https://example.org/c\"\n",
        );
        write(dir.path(), "broken.toml", "guid = ");
        write(dir.path(), "notes.txt", "not a registration");
        let all = records(dir.path());
        let names: Vec<&str> = all.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["Chess", "Tic-Tac-Toe"]);
        assert_eq!(all[1].guid, GUID, "canonical");
        assert_eq!(all[1].key.as_deref(), Some("k1"));
        assert!(all[1].info().installed);
        assert!(!all[0].info().installed);
        let shown = serde_json::to_string(&all[1].info()).expect("json");
        assert!(!shown.contains("k1"), "{shown}");
        assert_eq!(find(dir.path(), &GUID.to_lowercase()), Some(all[1].clone()));
        assert_eq!(
            find(dir.path(), "{11111111-0000-0000-0000-000000000001}"),
            None
        );
        assert!(records(&dir.path().join("missing")).is_empty());
    }
}
