//! The tray icon's picture where Nudge draws it itself (Windows, macOS): a round light in the
//! colour of the user's presence, the same colours as the dots in the contact list.
//!
//! Freedesktop trays get icon names from the icon theme instead (`sni`).

use super::TrayStatus;
use crate::model::Availability;

/// Side of the square picture, in pixels (the desktop scales it to its tray).
pub const ICON_SIZE: u32 = 32;

/// How much darker the light's rim is than its middle (a fraction of each channel kept).
const RIM_SHADE: f32 = 0.6;
/// Width of the rim, in pixels.
const RIM_WIDTH: f32 = 2.5;

/// The light's colour for `status` (opaque RGBA): grey while signed out.
pub fn light(status: &TrayStatus) -> [u8; 4] {
    let availability = if status.signed_in {
        status.availability
    } else {
        Availability::Offline
    };
    crate::ui::theme::presence_colour(availability).to_array()
}

/// The picture for `status`: [`ICON_SIZE`]² RGBA pixels, row by row, not premultiplied; a
/// light with a darker rim on a transparent ground, its edge smoothed.
pub fn pixels(status: &TrayStatus) -> Vec<u8> {
    let [r, g, b, _] = light(status);
    let size = ICON_SIZE as f32;
    let centre = size / 2.0;
    let radius = centre - 1.0;
    let mut rgba = Vec::with_capacity((ICON_SIZE * ICON_SIZE * 4) as usize);
    for y in 0..ICON_SIZE {
        for x in 0..ICON_SIZE {
            let dx = x as f32 + 0.5 - centre;
            let dy = y as f32 + 0.5 - centre;
            let distance = (dx * dx + dy * dy).sqrt();
            // How much of this pixel the disc covers: a one-pixel soft edge.
            let coverage = (radius + 0.5 - distance).clamp(0.0, 1.0);
            let shade = if distance > radius - RIM_WIDTH {
                RIM_SHADE
            } else {
                1.0
            };
            let channel = |c: u8| (f32::from(c) * shade).round() as u8;
            rgba.extend_from_slice(&[
                channel(r),
                channel(g),
                channel(b),
                (coverage * 255.0).round() as u8,
            ]);
        }
    }
    rgba
}

/// The icon's tooltip: "Nudge: Online", "Nudge: Signed out".
pub fn tooltip(status: &TrayStatus) -> String {
    let state = if status.signed_in {
        status.availability.label()
    } else {
        "Signed out"
    };
    format!("Nudge: {state}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pixel(rgba: &[u8], x: u32, y: u32) -> [u8; 4] {
        let at = ((y * ICON_SIZE + x) * 4) as usize;
        [rgba[at], rgba[at + 1], rgba[at + 2], rgba[at + 3]]
    }

    fn signed_in(availability: Availability) -> TrayStatus {
        TrayStatus {
            signed_in: true,
            availability,
        }
    }

    #[test]
    fn the_light_is_the_presence_colour_on_a_clear_ground() {
        for availability in super::super::PRESENCE_CHOICES {
            let status = signed_in(availability);
            let rgba = pixels(&status);
            assert_eq!(rgba.len(), (ICON_SIZE * ICON_SIZE * 4) as usize);
            assert_eq!(pixel(&rgba, ICON_SIZE / 2, ICON_SIZE / 2), light(&status));
            assert_eq!(pixel(&rgba, 0, 0)[3], 0, "corners are transparent");
            assert_eq!(pixel(&rgba, ICON_SIZE - 1, ICON_SIZE - 1)[3], 0);
        }
    }

    #[test]
    fn each_presence_has_its_own_light_and_signed_out_is_grey() {
        let online = light(&signed_in(Availability::Online));
        let busy = light(&signed_in(Availability::Busy));
        let away = light(&signed_in(Availability::Away));
        let hidden = light(&signed_in(Availability::AppearOffline));
        let out = light(&TrayStatus {
            signed_in: false,
            availability: Availability::Online,
        });
        let all = [online, busy, away, hidden];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(out, hidden, "signed out looks like appearing offline");
    }

    #[test]
    fn the_rim_is_darker_than_the_middle() {
        let status = signed_in(Availability::Online);
        let rgba = pixels(&status);
        let middle = pixel(&rgba, ICON_SIZE / 2, ICON_SIZE / 2);
        let rim = pixel(&rgba, ICON_SIZE / 2, 1);
        assert!(rim[1] < middle[1], "{rim:?} against {middle:?}");
        assert!(rim[3] > 0, "the rim is drawn");
    }

    #[test]
    fn the_tooltip_says_the_presence() {
        assert_eq!(
            tooltip(&signed_in(Availability::Busy)),
            format!("Nudge: {}", Availability::Busy.label())
        );
        assert_eq!(tooltip(&TrayStatus::default()), "Nudge: Signed out");
    }
}
