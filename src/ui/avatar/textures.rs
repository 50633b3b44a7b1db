//! Display pictures as egui textures: each picture is decoded once, on the frame that first
//! shows it, and kept under its key (the SHA-1, or the built-in picture's name) for as long as
//! someone is shown with it.
//!
//! Decoding here rather than through egui's image loaders keeps it on the UI thread: the loaders
//! decode on background threads and wake the window when done, which makes the number of frames
//! before a picture appears depend on the machine's load. A 96×96 PNG decodes in well under a
//! millisecond; larger pictures from other clients are shrunk before they reach the GPU.

use std::collections::HashMap;

use egui::{ColorImage, Context, Id, TextureHandle, TextureOptions};

/// The largest side of a picture on the GPU, in pixels: twice the largest side drawn, for
/// high-density screens.
const MAX_SIDE: u32 = 192;

#[derive(Clone, Default)]
struct Textures {
    /// Picture key → its texture, or `None` if its bytes are not a readable PNG.
    by_key: HashMap<String, Option<TextureHandle>>,
    /// Person → key of the picture last shown for them, to free pictures nobody shows any more.
    shown: HashMap<String, String>,
}

fn id() -> Id {
    Id::unique("avatar-textures")
}

/// The texture of the PNG `png` known as `key`, made on first use; `None` if it is unreadable.
pub fn texture(ctx: &Context, key: &str, png: &[u8]) -> Option<TextureHandle> {
    let known = ctx.data_mut(|d| {
        d.get_temp_mut_or_default::<Textures>(id())
            .by_key
            .get(key)
            .cloned()
    });
    if let Some(known) = known {
        return known;
    }
    // Outside `data_mut`: making a texture locks the context.
    let made = decode(png)
        .map(|image| ctx.load_texture(format!("avatar-{key}"), image, TextureOptions::LINEAR));
    ctx.data_mut(|d| {
        d.get_temp_mut_or_default::<Textures>(id())
            .by_key
            .insert(key.to_owned(), made.clone())
    });
    made
}

/// Whether the picture with this key has a texture (it was shown).
pub fn is_loaded(ctx: &Context, key: &str) -> bool {
    ctx.data_mut(|d| {
        d.get_temp_mut_or_default::<Textures>(id())
            .by_key
            .get(key)
            .is_some_and(Option::is_some)
    })
}

/// Notes that `person` is shown with the picture `key`; the picture they had before is freed
/// when nobody else is shown with it.
pub fn note_shown(ctx: &Context, person: &str, key: &str) {
    let freed = ctx.data_mut(|d| {
        let textures = d.get_temp_mut_or_default::<Textures>(id());
        if textures.shown.get(person).map(String::as_str) == Some(key) {
            return None;
        }
        let old = textures.shown.insert(person.to_owned(), key.to_owned())?;
        if textures.shown.values().any(|k| *k == old) {
            return None;
        }
        textures.by_key.remove(&old)
    });
    // Dropped here, outside `data_mut`: freeing a texture locks the texture manager.
    drop(freed);
}

fn decode(png: &[u8]) -> Option<ColorImage> {
    let image = image::load_from_memory_with_format(png, image::ImageFormat::Png).ok()?;
    let image = if image.width() > MAX_SIDE || image.height() > MAX_SIDE {
        image.thumbnail(MAX_SIDE, MAX_SIDE)
    } else {
        image
    };
    let rgba = image.to_rgba8();
    let size = [rgba.width() as usize, rgba.height() as usize];
    Some(ColorImage::from_rgba_unmultiplied(size, rgba.as_raw()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(side: u32) -> Vec<u8> {
        let image = image::RgbaImage::from_pixel(side, side, image::Rgba([1, 2, 3, 255]));
        let mut out = std::io::Cursor::new(Vec::new());
        image
            .write_to(&mut out, image::ImageFormat::Png)
            .expect("encode");
        out.into_inner()
    }

    #[test]
    fn a_picture_is_made_once_shrunk_and_freed_when_nobody_shows_it() {
        let ctx = Context::default();
        let big = texture(&ctx, "big", &png(600)).expect("a texture");
        assert_eq!(big.size(), [192, 192]);
        let again = texture(&ctx, "big", &[]).expect("the same texture, not decoded again");
        assert_eq!(again.id(), big.id());
        assert!(texture(&ctx, "junk", b"not a png").is_none());
        assert!(!is_loaded(&ctx, "junk"));

        note_shown(&ctx, "bob", "big");
        note_shown(&ctx, "carol", "big");
        note_shown(&ctx, "bob", "other");
        assert!(is_loaded(&ctx, "big"), "carol still shows it");
        note_shown(&ctx, "carol", "other");
        assert!(!is_loaded(&ctx, "big"), "nobody shows it");
    }
}
