//! Which display picture belongs to whom: bare JID → SHA-1 of the PNG. The pictures themselves
//! are files named by their hash in the profile's data folder (see `core::account::avatar`), so
//! a picture seen once is not fetched again at the next start.

use rusqlite::{params, OptionalExtension};

use super::{Store, StoreError};
use crate::model::BareJid;

impl Store {
    /// Records that `jid`'s picture is the one with this hash, or that they have none.
    pub fn set_avatar_hash(&mut self, jid: &BareJid, sha1: Option<&str>) -> Result<(), StoreError> {
        match sha1 {
            Some(sha1) => self.conn.execute(
                "INSERT INTO avatars (jid, sha1) VALUES (?1, ?2)
                 ON CONFLICT (jid) DO UPDATE SET sha1 = excluded.sha1",
                params![jid.as_str(), sha1],
            )?,
            None => self
                .conn
                .execute("DELETE FROM avatars WHERE jid = ?1", params![jid.as_str()])?,
        };
        Ok(())
    }

    /// The hash of `jid`'s picture, if one is known.
    pub fn avatar_hash(&self, jid: &BareJid) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT sha1 FROM avatars WHERE jid = ?1",
                params![jid.as_str()],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Every known (bare JID, picture hash), sorted by JID.
    pub fn avatar_hashes(&self) -> Result<Vec<(BareJid, String)>, StoreError> {
        let mut statement = self
            .conn
            .prepare("SELECT jid, sha1 FROM avatars ORDER BY jid")?;
        let rows = statement.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?;
        let mut hashes = Vec::new();
        for row in rows {
            let (jid, sha1) = row?;
            hashes.push((super::messages::jid_from_sql(&jid)?, sha1));
        }
        Ok(hashes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::bare;

    #[test]
    fn picture_hashes_are_remembered_replaced_and_forgotten() {
        let mut store = Store::open_in_memory().expect("store");
        assert!(store.avatar_hashes().expect("read").is_empty());
        store
            .set_avatar_hash(&bare("bob@x"), Some("aa"))
            .expect("set");
        store
            .set_avatar_hash(&bare("alice@x"), Some("bb"))
            .expect("set");
        store
            .set_avatar_hash(&bare("bob@x"), Some("cc"))
            .expect("replace");
        assert_eq!(
            store.avatar_hashes().expect("read"),
            [
                (bare("alice@x"), "bb".to_owned()),
                (bare("bob@x"), "cc".to_owned())
            ]
        );
        assert_eq!(
            store.avatar_hash(&bare("bob@x")).expect("read"),
            Some("cc".into())
        );
        store.set_avatar_hash(&bare("bob@x"), None).expect("forget");
        assert_eq!(store.avatar_hash(&bare("bob@x")).expect("read"), None);
        store
            .set_avatar_hash(&bare("nobody@x"), None)
            .expect("forgetting nothing is fine");
        assert_eq!(store.avatar_hashes().expect("read").len(), 1);
    }
}
