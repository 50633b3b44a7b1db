//! The contact list as flat rows: each roster group's header followed by its online contacts,
//! then "Contacts" (no group), then "Offline". Flat, so only the rows on screen are laid out.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Availability, BareJid};
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
        || entry.contact.jid.as_str().to_lowercase().contains(&query)
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

/// The contact list's rows kept between frames. Sorting and grouping 5,000 contacts took most
/// of a frame, so they are rebuilt only when the contacts, the search or the closed sections
/// change; each frame looks up just the contacts on screen.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RowCache {
    /// What the rows were built from: the contacts' revision, the search, the closed sections.
    built_from: Option<(u64, String, BTreeSet<GroupKey>)>,
    rows: Vec<CachedRow>,
}

#[derive(Clone, Debug, PartialEq)]
enum CachedRow {
    Header(Header),
    Contact { jid: BareJid, section: usize },
}

impl RowCache {
    /// Brings the rows up to date for `state`, `query` and `collapsed`; returns how many
    /// there are.
    pub fn update(
        &mut self,
        state: &AppState,
        query: &str,
        collapsed: &BTreeSet<GroupKey>,
    ) -> usize {
        let current = self.built_from.as_ref().is_some_and(|(revision, q, c)| {
            *revision == state.contacts_revision() && q == query && c == collapsed
        });
        if !current {
            self.rows = rows(state, query, collapsed)
                .into_iter()
                .map(|row| match row {
                    Row::Header(header) => CachedRow::Header(header),
                    Row::Contact { entry, section } => CachedRow::Contact {
                        jid: entry.contact.jid.clone(),
                        section,
                    },
                })
                .collect();
            self.built_from = Some((
                state.contacts_revision(),
                query.to_string(),
                collapsed.clone(),
            ));
        }
        self.rows.len()
    }

    /// Row `index` as of the last `update`, with its contact from `state`.
    pub fn row<'a>(&self, state: &'a AppState, index: usize) -> Option<Row<'a>> {
        match self.rows.get(index)? {
            CachedRow::Header(header) => Some(Row::Header(header.clone())),
            CachedRow::Contact { jid, section } => Some(Row::Contact {
                entry: state.contacts.get(jid)?,
                section: *section,
            }),
        }
    }
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
            jid: crate::model::bare(jid),
            name: Some(name.into()),
            groups: groups.iter().map(|g| g.to_string()).collect(),
            subscription: Subscription::Both,
            pending_out: false,
        }
    }

    fn online(state: &mut AppState, jid: &str, availability: Availability) {
        state.apply(Event::PresenceChanged {
            jid: crate::model::bare(jid),
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

    fn cached(cache: &RowCache, state: &AppState, len: usize) -> Vec<String> {
        let rows: Vec<Row<'_>> = (0..len).filter_map(|i| cache.row(state, i)).collect();
        describe(&rows)
    }

    #[test]
    fn cached_rows_follow_presence_the_roster_the_search_and_closed_sections() {
        let mut state = state();
        let mut cache = RowCache::default();
        let mut collapsed = BTreeSet::new();
        let len = cache.update(&state, "", &collapsed);
        assert_eq!(
            cached(&cache, &state, len),
            describe(&rows(&state, "", &collapsed))
        );
        online(&mut state, "dave@x", Availability::Online);
        state.apply(Event::ContactRemoved {
            jid: crate::model::bare("zed@x"),
        });
        let len = cache.update(&state, "", &collapsed);
        assert_eq!(
            cached(&cache, &state, len),
            describe(&rows(&state, "", &collapsed))
        );
        assert!(cached(&cache, &state, len).contains(&"  Dave".to_string()));
        collapsed.insert(GroupKey::Offline);
        let len = cache.update(&state, "da", &collapsed);
        assert_eq!(cached(&cache, &state, len), ["Friends (4/4)", "  Dave"]);
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
