//! One-time launch cookies: how a launched application proves which session it belongs to.
//!
//! The core issues a cookie when it launches an application and puts it in the program's
//! environment; the local API redeems it once (`unlock` with the cookie) to tie the connection
//! to that session. Shared by the core and the API server, never sent over the network.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The cookies issued and not yet redeemed: cookie → session id.
#[derive(Clone, Debug, Default)]
pub struct LaunchCookies {
    issued: Arc<Mutex<HashMap<String, String>>>,
}

impl LaunchCookies {
    /// A new random cookie for `session`.
    pub fn issue(&self, session: &str) -> String {
        // Two v4 UUIDs: 244 random bits from the OS generator.
        let cookie = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        if let Ok(mut issued) = self.issued.lock() {
            issued.insert(cookie.clone(), session.to_string());
        }
        cookie
    }

    /// The session a cookie was issued for; a cookie works once.
    pub fn redeem(&self, cookie: &str) -> Option<String> {
        self.issued.lock().ok()?.remove(cookie)
    }

    /// Forgets every cookie of a session that ended.
    pub fn revoke_session(&self, session: &str) {
        if let Ok(mut issued) = self.issued.lock() {
            issued.retain(|_, s| s != session);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_works_once_and_only_for_its_session() {
        let cookies = LaunchCookies::default();
        let a = cookies.issue("s1");
        let b = cookies.issue("s2");
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(cookies.redeem("guess"), None);
        assert_eq!(cookies.redeem(&a), Some("s1".into()));
        assert_eq!(cookies.redeem(&a), None);
        cookies.revoke_session("s2");
        assert_eq!(cookies.redeem(&b), None);
    }
}
