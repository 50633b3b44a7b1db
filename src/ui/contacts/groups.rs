//! The contact list as flat rows: each roster group's header followed by its online contacts,
//! then "Contacts" (no group), then "Offline". Flat, so only the rows on screen are laid out.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::Availability;
use crate::state::{AppState, ContactEntry};

/// A section of the contact list.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupKey {
    /// A roster group, by name.
    Named(String),
    /// Contacts in no roster group.
    Ungrouped,
    /// Every offline contact, whatever their groups.
    Offline,
}

impl GroupKey {
    /// The section's name as shown.
    pub fn name(&self) -> &str {
        match self {
            Self::Named(name) => name,
            Self::Ungrouped => "Contacts",
            Self::Offline => "Offline",
        }
    }
}

/// A section's header: its name and how many of its contacts are online.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Which section.
    pub key: GroupKey,
    /// Contacts of the group who are online (always 0 for Offline).
    pub online: usize,
    /// All contacts of the group, online or not.
    pub total: usize,
    /// Whether its contacts are listed under it.
    pub open: bool,
}

impl Header {
    /// "Friends (3/5)": online and total; "Offline (4)" just counts.
    pub fn label(&self) -> String {
        match self.key {
            GroupKey::Offline => format!("Offline ({})", self.total),
            _ => format!("{} ({}/{})", self.key.name(), self.online, self.total),
        }
    }
}

/// One row of the list.
#[derive(Clone, Debug, PartialEq)]
pub enum Row<'a> {
    /// A section's header.
    Header(Header),
    /// A contact under the header above it.
    Contact {
        /// The contact.
        entry: &'a ContactEntry,
        /// Which section it is in, counting headers from 0 (a contact can be in several).
        section: usize,
    },
}

/// Whether a contact matches the search text (name or address, ignoring case).
pub fn matches(entry: &ContactEntry, query: &str) -> bool {
    let query = query.trim().to_lowercase();
    query.is_empty()
        || entry.contact.jid.to_lowercase().contains(&query)
        || entry.display_name().to_lowercase().contains(&query)
}

/// One section while it is being filled.
#[derive(Default)]
struct Section<'a> {
    online: usize,
    total: usize,
    shown: Vec<&'a ContactEntry>,
}

impl<'a> Section<'a> {
    fn count(&mut self, online: bool) {
        self.total += 1;
        self.online += usize::from(online);
    }
}

/// The rows to show for `state`, filtered by `query`, with `collapsed` sections closed.
///
/// Contacts are sorted by presence then name inside each section (a contact in two groups is
/// listed in both). While searching, every section with a match is open and empty ones are
/// left out, so matches show whichever section they are in.
pub fn rows<'a>(state: &'a AppState, query: &str, collapsed: &BTreeSet<GroupKey>) -> Vec<Row<'a>> {
    let searching = !query.trim().is_empty();
    // Named groups sorted case-insensitively; the original spelling is kept in the key.
    let mut named: BTreeMap<(String, String), Section<'a>> = BTreeMap::new();
    let mut ungrouped = Section::default();
    let mut offline = Section::default();
    for entry in state.sorted_contacts() {
        let online = entry.availability() != Availability::Offline;
        let shown = matches(entry, query);
        let mut groups: Vec<&String> = entry.contact.groups.iter().collect();
        groups.dedup();
        let sections: Vec<&mut Section<'a>> = if groups.is_empty() {
            vec![&mut ungrouped]
        } else {
            named_sections(&mut named, &groups)
        };
        for section in sections {
            section.count(online);
            if online && shown {
                section.shown.push(entry);
            }
        }
        if !online {
            offline.count(false);
            if shown {
                offline.shown.push(entry);
            }
        }
    }
    let mut rows = Vec::new();
    let named = named
        .into_iter()
        .map(|((_, name), section)| (GroupKey::Named(name), section));
    let rest = [
        (GroupKey::Ungrouped, ungrouped),
        (GroupKey::Offline, offline),
    ];
    let sections = named
        .chain(rest)
        .filter(|(_, section)| section.total > 0 && !(searching && section.shown.is_empty()));
    for (ordinal, (key, section)) in sections.enumerate() {
        let open = searching || !collapsed.contains(&key);
        rows.push(Row::Header(Header {
            key,
            online: section.online,
            total: section.total,
            open,
        }));
        if open {
            rows.extend(section.shown.into_iter().map(|entry| Row::Contact {
                entry,
                section: ordinal,
            }));
        }
    }
    rows
}

fn named_sections<'m, 'a>(
    named: &'m mut BTreeMap<(String, String), Section<'a>>,
    groups: &[&String],
) -> Vec<&'m mut Section<'a>> {
    for group in groups {
        named
            .entry((group.to_lowercase(), (*group).clone()))
            .or_default();
    }
    named
        .iter_mut()
        .filter(|((_, name), _)| groups.contains(&name))
        .map(|(_, section)| section)
        .collect()
}

/// Every roster group name, sorted case-insensitively (for "Move to group").
pub fn group_names(state: &AppState) -> Vec<String> {
    let names: BTreeSet<(String, &String)> = state
        .contacts
        .values()
        .flat_map(|e| e.contact.groups.iter())
        .map(|g| (g.to_lowercase(), g))
        .collect();
    names.into_iter().map(|(_, g)| g.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;
    use crate::model::{Contact, Subscription};

    fn contact(jid: &str, name: &str, groups: &[&str]) -> Contact {
        Contact {
            jid: jid.into(),
            name: Some(name.into()),
            groups: groups.iter().map(|g| g.to_string()).collect(),
            subscription: Subscription::Both,
            pending_out: false,
        }
    }

    fn online(state: &mut AppState, jid: &str, availability: Availability) {
        state.apply(Event::PresenceChanged {
            jid: jid.into(),
            resource: "r".into(),
            availability,
            status: None,
            priority: 0,
        });
    }

    /// Friends: Bob (online), Carol (away), Dave (offline); Work: Erin (online, also Friends);
    /// no group: Zed (online), Yan (offline).
    fn state() -> AppState {
        let mut state = AppState::default();
        state.apply(Event::RosterReceived {
            contacts: vec![
                contact("bob@x", "Bob", &["Friends"]),
                contact("carol@x", "Carol", &["Friends"]),
                contact("dave@x", "Dave", &["Friends"]),
                contact("erin@x", "Erin", &["Work", "Friends"]),
                contact("zed@x", "Zed", &[]),
                contact("yan@x", "Yan", &[]),
            ],
        });
        online(&mut state, "bob@x", Availability::Online);
        online(&mut state, "carol@x", Availability::Away);
        online(&mut state, "erin@x", Availability::Online);
        online(&mut state, "zed@x", Availability::Busy);
        state
    }

    fn describe(rows: &[Row<'_>]) -> Vec<String> {
        rows.iter()
            .map(|row| match row {
                Row::Header(header) => header.label(),
                Row::Contact { entry, .. } => format!("  {}", entry.display_name()),
            })
            .collect()
    }

    #[test]
    fn groups_then_contacts_then_offline_sorted_by_presence_then_name() {
        let state = state();
        assert_eq!(
            describe(&rows(&state, "", &BTreeSet::new())),
            [
                "Friends (3/4)",
                "  Bob",
                "  Erin",
                "  Carol",
                "Work (1/1)",
                "  Erin",
                "Contacts (1/2)",
                "  Zed",
                "Offline (2)",
                "  Dave",
                "  Yan",
            ]
        );
    }

    #[test]
    fn a_collapsed_group_is_one_row_and_keeps_its_counts() {
        let state = state();
        let collapsed = BTreeSet::from([GroupKey::Named("Friends".into()), GroupKey::Offline]);
        assert_eq!(
            describe(&rows(&state, "", &collapsed)),
            [
                "Friends (3/4)",
                "Work (1/1)",
                "  Erin",
                "Contacts (1/2)",
                "  Zed",
                "Offline (2)"
            ]
        );
    }

    #[test]
    fn searching_opens_sections_with_matches_and_hides_the_rest() {
        let state = state();
        let collapsed = BTreeSet::from([GroupKey::Named("Friends".into())]);
        assert_eq!(
            describe(&rows(&state, "  ER", &collapsed)),
            ["Friends (3/4)", "  Erin", "Work (1/1)", "  Erin"]
        );
        assert_eq!(
            describe(&rows(&state, "yan@", &collapsed)),
            ["Offline (2)", "  Yan"]
        );
        assert!(rows(&state, "nobody", &collapsed).is_empty());
    }

    #[test]
    fn groups_sort_without_case_and_names_are_listed_once() {
        let mut state = AppState::default();
        state.apply(Event::RosterReceived {
            contacts: vec![
                contact("a@x", "A", &["zoo"]),
                contact("b@x", "B", &["Alpha", "zoo"]),
            ],
        });
        assert_eq!(group_names(&state), ["Alpha", "zoo"]);
        let headers: Vec<String> = rows(&state, "", &BTreeSet::new())
            .iter()
            .filter_map(|r| match r {
                Row::Header(h) => Some(h.label()),
                Row::Contact { .. } => None,
            })
            .collect();
        assert_eq!(headers, ["Alpha (0/1)", "zoo (0/2)", "Offline (2)"]);
    }
}
