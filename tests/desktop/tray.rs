//! The freedesktop tray icon (StatusNotifierItem) over a real D-Bus: a private bus with a
//! stand-in StatusNotifierWatcher, and the test acting as the desktop's panel: it reads the
//! icon, tooltip and menu, clicks the icon and menu entries, and sees the choices reach the
//! window's end of the tray.

#![cfg(all(unix, not(target_os = "macos")))]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use nudge::model::Availability;
use nudge::platform::tray::{self, Slot, TrayAction, TrayLink, TrayStatus};
use tokio::sync::{mpsc, Notify};
use zbus::Variant;

use nudge_testkit::dbus::{PrivateBus, TURN};

/// How long anything may take before the test gives up (a guard against hanging).
const PATIENCE: Duration = Duration::from_secs(30);

const WATCHER: &str = "org.kde.StatusNotifierWatcher";
const ITEM: &str = "org.kde.StatusNotifierItem";
const MENU: &str = "com.canonical.dbusmenu";
const PROPERTIES: &str = "org.freedesktop.DBus.Properties";

/// A stand-in StatusNotifierWatcher: tells the bus name of each item that registers, and says
/// a tray host is there. The hidden-start tests use it too.
pub(crate) async fn watcher(bus: &PrivateBus) -> mpsc::UnboundedReceiver<String> {
    let connection = bus.connect().await;
    connection
        .request_name(WATCHER)
        .await
        .expect("the stand-in owns the watcher name");
    let (registered, items) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut calls = zbus::MessageStream::from(&connection);
        while let Some(Ok(message)) = calls.next().await {
            let header = message.header();
            if header.message_type() != zbus::message::Type::MethodCall {
                continue;
            }
            let replied = match header.member().map(|m| m.as_str()) {
                Some("RegisterStatusNotifierItem") => {
                    let service: String = message.body().deserialize().expect("a service");
                    let _ = registered.send(service);
                    connection.reply(&header, &()).await
                }
                // IsStatusNotifierHostRegistered, and any other property: true.
                Some("Get") => connection.reply(&header, &Variant::from(true)).await,
                _ => connection.reply(&header, &()).await,
            };
            replied.expect("the stand-in answers");
        }
    });
    items
}

/// The desktop's panel: calls on the tray item.
struct Panel {
    connection: zbus::Connection,
    item: String,
}

impl Panel {
    async fn call<B, R>(&self, path: &str, interface: &str, method: &str, body: &B) -> R
    where
        B: serde::Serialize + zbus::DynamicType,
        R: for<'d> serde::Deserialize<'d> + zbus::Type,
    {
        self.connection
            .call_method(
                Some(self.item.as_str()),
                path,
                Some(interface),
                method,
                body,
            )
            .await
            .unwrap_or_else(|e| panic!("{interface}.{method}: {e}"))
            .body()
            .deserialize()
            .unwrap_or_else(|e| panic!("{interface}.{method}'s answer: {e}"))
    }

    async fn property(&self, name: &str) -> zbus::OwnedVariant {
        self.call("/StatusNotifierItem", PROPERTIES, "Get", &(ITEM, name))
            .await
    }

    async fn icon_name(&self) -> String {
        String::try_from(self.property("IconName").await).expect("a string")
    }

    async fn tooltip(&self) -> String {
        let tooltip = self.property("ToolTip").await;
        let Variant::Structure(fields) = Variant::from(tooltip) else {
            panic!("ToolTip is (sa(iiay)ss)");
        };
        let title = fields.fields().get(2).expect("a title");
        String::try_from(title.try_clone().expect("clone")).expect("a string")
    }

    /// The menu as the panel shows it: (id, label) per entry, "—" for separators, and for
    /// the presence choices whether each is ticked.
    async fn menu(&self) -> Vec<(i32, String, Option<bool>)> {
        type Props = HashMap<String, zbus::OwnedVariant>;
        let (_revision, (_root, _props, children)): (u32, (i32, Props, Vec<zbus::OwnedVariant>)) =
            self.call(
                "/MenuBar",
                MENU,
                "GetLayout",
                &(0i32, -1i32, Vec::<String>::new()),
            )
            .await;
        children
            .into_iter()
            .map(|child| {
                let Variant::Structure(child) = Variant::from(child) else {
                    panic!("a menu item is (ia{{sv}}av)");
                };
                let fields = child.fields();
                let id = i32::try_from(&fields[0]).expect("an id");
                let Variant::Dict(props) = &fields[1] else {
                    panic!("properties are a{{sv}}");
                };
                let text = |key: &str| -> Option<String> {
                    props
                        .get::<_, Variant<'_>>(&key)
                        .expect("a property")
                        .map(|v| match v {
                            Variant::Variant(inner) => String::try_from(*inner).expect("text"),
                            other => String::try_from(other).expect("text"),
                        })
                };
                if text("type").as_deref() == Some("separator") {
                    return (id, "—".to_string(), None);
                }
                let ticked = props
                    .get::<_, Variant<'_>>(&"toggle-state")
                    .expect("a property")
                    .map(|v| match v {
                        Variant::Variant(inner) => i32::try_from(*inner).expect("a state") == 1,
                        other => i32::try_from(other).expect("a state") == 1,
                    });
                (id, text("label").unwrap_or_default(), ticked)
            })
            .collect()
    }

    async fn click_menu(&self, id: i32) {
        let () = self
            .call(
                "/MenuBar",
                MENU,
                "Event",
                &(id, "clicked", Variant::from(0i32), 0u32),
            )
            .await;
    }
}

/// The tray of a window whose waker rings `woken`.
async fn start_tray(woken: Arc<Notify>) -> TrayLink {
    tokio::task::spawn_blocking(move || tray::start(Arc::new(move || woken.notify_one())))
        .await
        .expect("the tray starts")
        .expect("the stand-in watcher is a tray host")
}

/// The actions the window gets once it is woken.
async fn next_actions(link: &TrayLink, woken: &Notify) -> Vec<TrayAction> {
    tokio::time::timeout(PATIENCE, woken.notified())
        .await
        .expect("the window is woken");
    link.actions()
}

/// Waits until `check` holds for what the panel reads (the item updates on its own thread).
async fn until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    tokio::time::timeout(PATIENCE, async {
        while !check().await {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{what}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_panel_shows_the_menu_and_choices_reach_the_window() {
    let _turn = TURN.lock().await;
    let bus = PrivateBus::start();
    let mut registered = watcher(&bus).await;
    let woken = Arc::new(Notify::new());
    let mut link = start_tray(woken.clone()).await;
    let item = tokio::time::timeout(PATIENCE, registered.recv())
        .await
        .expect("the item registers")
        .expect("the watcher runs");
    assert!(link.is_shown());
    let panel = Panel {
        connection: bus.connect().await,
        item,
    };

    // Signed out: the menu has the same places as on every platform, nothing ticked.
    assert_eq!(panel.icon_name().await, "user-offline");
    assert_eq!(panel.tooltip().await, "Nudge: Signed out");
    let expected: Vec<String> = tray::layout(&TrayStatus::default())
        .into_iter()
        .map(|slot| match slot {
            Slot::Entry(entry) => entry.label.to_string(),
            Slot::Separator => "—".to_string(),
        })
        .collect();
    let labels = |menu: &[(i32, String, Option<bool>)]| -> Vec<String> {
        menu.iter().map(|(_, label, _)| label.clone()).collect()
    };
    let menu = panel.menu().await;
    assert_eq!(labels(&menu), expected);
    assert!(menu.iter().all(|(_, _, ticked)| *ticked != Some(true)));

    // A click on the icon opens the window.
    let () = panel
        .call("/StatusNotifierItem", ITEM, "Activate", &(0i32, 0i32))
        .await;
    assert_eq!(next_actions(&link, &woken).await, [TrayAction::Open]);

    // Signed in and away: the icon, the tooltip and the ticked choice follow.
    link.show_status(TrayStatus {
        signed_in: true,
        availability: Availability::Away,
    });
    until("the icon shows Away", || async {
        panel.icon_name().await == "user-away"
    })
    .await;
    assert_eq!(
        panel.tooltip().await,
        format!("Nudge: {}", Availability::Away.label())
    );
    let menu = panel.menu().await;
    let ticked: Vec<&str> = menu
        .iter()
        .filter(|(_, _, ticked)| *ticked == Some(true))
        .map(|(_, label, _)| label.as_str())
        .collect();
    assert_eq!(ticked, [Availability::Away.label()]);

    // Choosing Busy and Quit in the menu.
    let id_of = |label: &str| {
        menu.iter()
            .find(|(_, l, _)| l == label)
            .map(|(id, _, _)| *id)
            .unwrap_or_else(|| panic!("{label} in {menu:?}"))
    };
    panel.click_menu(id_of(Availability::Busy.label())).await;
    assert_eq!(
        next_actions(&link, &woken).await,
        [TrayAction::SetPresence(Availability::Busy)]
    );
    panel.click_menu(id_of("Quit")).await;
    assert_eq!(next_actions(&link, &woken).await, [TrayAction::Quit]);

    drop(link);
}
