//! What the contact list remembers between frames, and the forms of its dialogs: rename,
//! move to a group, remove. Pure, so the commands they send are unit-tested.

use std::collections::BTreeSet;

use super::groups::GroupKey;
use crate::command::Command;
use crate::model::{BareJid, Contact};

/// The contact list's own view state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContactsView {
    /// Sections the user closed.
    pub collapsed: BTreeSet<GroupKey>,
    /// The line of the header being edited in place (display name or status message).
    pub editing: super::own::EditingOwn,
    /// Put the keyboard focus in that line's field on the next frame.
    pub focus_editor: bool,
    /// The open contact dialog, if any.
    pub dialog: Option<ContactDialog>,
}

impl ContactsView {
    /// Opens or closes a section.
    pub fn toggle(&mut self, key: &GroupKey) {
        if !self.collapsed.remove(key) {
            self.collapsed.insert(key.clone());
        }
    }
}

/// A dialog about one contact, opened from its context menu.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContactDialog {
    /// "Rename…": the name being typed.
    Rename(RenameForm),
    /// "Move to group…".
    Move(MoveForm),
    /// "Remove…": asks before removing.
    Remove {
        /// Who.
        jid: BareJid,
    },
}

/// The rename dialog's field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenameForm {
    /// Who.
    pub jid: BareJid,
    /// The new name; empty goes back to showing the address.
    pub name: String,
}

impl RenameForm {
    /// A form starting from the contact's current name.
    pub fn new(contact: &Contact) -> Self {
        Self {
            jid: contact.jid.clone(),
            name: contact.name.clone().unwrap_or_default(),
        }
    }

    /// The `UpdateContact` that renames the contact and keeps its groups.
    pub fn command(&self, contact: &Contact) -> Command {
        Command::UpdateContact {
            jid: self.jid.clone(),
            name: Some(self.name.trim().to_string()).filter(|n| !n.is_empty()),
            groups: contact.groups.clone(),
        }
    }
}

/// The move dialog's choice: an existing group (or none), or a new group's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoveForm {
    /// Who.
    pub jid: BareJid,
    /// The existing group chosen; empty means no group.
    pub group: String,
    /// A new group's name; when filled in, it wins over `group`.
    pub new_group: String,
}

impl MoveForm {
    /// A form with the contact's first group chosen.
    pub fn new(contact: &Contact) -> Self {
        Self {
            jid: contact.jid.clone(),
            group: contact.groups.first().cloned().unwrap_or_default(),
            new_group: String::new(),
        }
    }

    /// The group the contact goes to; `None` is no group ("Contacts").
    pub fn target(&self) -> Option<String> {
        let new_group = self.new_group.trim();
        let target = if new_group.is_empty() {
            self.group.trim()
        } else {
            new_group
        };
        Some(target.to_string()).filter(|g| !g.is_empty())
    }

    /// The `UpdateContact` that moves the contact to the target alone, keeping its name.
    pub fn command(&self, contact: &Contact) -> Command {
        Command::UpdateContact {
            jid: self.jid.clone(),
            name: contact.name.clone(),
            groups: self.target().into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Subscription;

    fn bob() -> Contact {
        Contact {
            jid: crate::model::bare("bob@x"),
            name: Some("Bob".into()),
            groups: vec!["Friends".into(), "Work".into()],
            subscription: Subscription::Both,
            pending_out: false,
        }
    }

    #[test]
    fn renaming_keeps_groups_and_an_empty_name_clears_it() {
        let mut form = RenameForm::new(&bob());
        assert_eq!(form.name, "Bob");
        form.name = "  Bobby ".into();
        assert_eq!(
            form.command(&bob()),
            Command::UpdateContact {
                jid: crate::model::bare("bob@x"),
                name: Some("Bobby".into()),
                groups: vec!["Friends".into(), "Work".into()],
            }
        );
        form.name = " ".into();
        assert!(matches!(
            form.command(&bob()),
            Command::UpdateContact { name: None, .. }
        ));
    }

    #[test]
    fn moving_replaces_the_groups_and_a_new_name_wins() {
        let mut form = MoveForm::new(&bob());
        assert_eq!(form.target().as_deref(), Some("Friends"));
        form.group = "Work".into();
        let Command::UpdateContact { name, groups, .. } = form.command(&bob()) else {
            panic!("an UpdateContact");
        };
        assert_eq!(
            (name.as_deref(), groups),
            (Some("Bob"), vec!["Work".into()])
        );
        form.new_group = " Family ".into();
        assert_eq!(form.target().as_deref(), Some("Family"));
        form.new_group.clear();
        form.group.clear();
        assert_eq!(form.target(), None, "no group at all");
    }

    #[test]
    fn toggling_a_section_twice_reopens_it() {
        let mut view = ContactsView::default();
        let key = GroupKey::Named("Friends".into());
        view.toggle(&key);
        assert!(view.collapsed.contains(&key));
        view.toggle(&key);
        assert!(view.collapsed.is_empty());
    }
}
