//! The packaged desktop files agree with the program: the same app id everywhere, the version
//! of the newest release notes, and the icon at every size drawn from the window's icon.

use std::path::Path;

use super::{value, APP_ID};

const DESKTOP_FILE: &str = include_str!("../../../packaging/linux/im.nudge.Nudge.desktop");
const METAINFO: &str = include_str!("../../../packaging/linux/im.nudge.Nudge.metainfo.xml");
/// The hicolor sizes `packaging/make-icons` draws (and Cargo.toml's deb assets install).
const ICON_SIZES: [u32; 9] = [16, 22, 24, 32, 48, 64, 128, 256, 512];

/// The text between the first `<tag ...>` and its `</tag>`.
fn element<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
    let start = xml.find(&format!("<{tag}"))?;
    let body = start + xml[start..].find('>')? + 1;
    let end = body + xml[body..].find(&format!("</{tag}>"))?;
    Some(xml[body..end].trim())
}

#[test]
fn the_desktop_file_names_the_windows_app_id_and_icon_and_takes_xmpp_links() {
    assert_eq!(value(DESKTOP_FILE, "StartupWMClass"), Some(APP_ID));
    assert_eq!(value(DESKTOP_FILE, "Icon"), Some(APP_ID));
    // `%u`: the desktop passes the clicked link, which `nudge XMPP_LINK` takes (src/cli.rs).
    assert_eq!(value(DESKTOP_FILE, "Exec"), Some("nudge %u"));
    assert_eq!(
        value(DESKTOP_FILE, "MimeType"),
        Some("x-scheme-handler/xmpp;")
    );
}

#[test]
fn the_metainfo_describes_this_app_and_this_version() {
    assert_eq!(element(METAINFO, "id"), Some(APP_ID));
    assert_eq!(
        element(METAINFO, "launchable"),
        Some(format!("{APP_ID}.desktop").as_str())
    );
    let newest = element(METAINFO, "releases")
        .and_then(|releases| releases.split("version=\"").nth(1))
        .and_then(|rest| rest.split('"').next());
    assert_eq!(
        newest,
        Some(env!("CARGO_PKG_VERSION")),
        "add release notes for this version to the metainfo, newest first"
    );
    assert_eq!(
        element(METAINFO, "project_license"),
        Some(env!("CARGO_PKG_LICENSE"))
    );
}

#[test]
fn the_icon_is_drawn_at_every_size_from_the_window_icon() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for size in ICON_SIZES {
        let path = root.join(format!("packaging/linux/icons/{size}x{size}/{APP_ID}.png"));
        let icon = image::open(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run packaging/make-icons)", path.display()));
        assert_eq!(
            (icon.width(), icon.height()),
            (size, size),
            "{}",
            path.display()
        );
    }
    let window_icon = std::fs::read(root.join("assets/icon.png")).expect("assets/icon.png");
    let packaged = std::fs::read(root.join(format!("packaging/linux/icons/64x64/{APP_ID}.png")))
        .expect("the 64x64 icon");
    assert!(
        window_icon == packaged,
        "the packaged icons are older than assets/icon.png: run packaging/make-icons"
    );
}
