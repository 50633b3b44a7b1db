//! Turning an image file (or a built-in picture) into the PNG Nudge publishes: decoded with
//! limits, cropped to the middle square and scaled to 96×96, as Messenger showed pictures.

use std::sync::Arc;

use image::ImageDecoder;

use crate::xmpp::avatar as wire;

/// The side of the square picture Nudge publishes, in pixels (Messenger's display pictures were
/// 96×96).
pub const SIDE: u32 = 96;

/// The largest file accepted as a new picture, before decoding.
const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

/// The largest image accepted as a new picture, in pixels per side.
const MAX_FILE_SIDE: u32 = 10_000;

/// A picture ready to publish: square, 96×96, PNG.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// SHA-1 of the PNG, hex: the PEP item id.
    pub sha1: String,
    /// The 96×96 PNG.
    pub png: Arc<[u8]>,
    /// Whether requests still carry publish-options (dropped after a precondition failure).
    pub with_options: bool,
}

/// Why a file cannot become the display picture, in plain words.
#[derive(Debug, thiserror::Error)]
pub enum PictureError {
    /// The file could not be read.
    #[error("the file {path} could not be read: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A FIFO, a device (`/dev/zero`), a socket or a folder: never read.
    #[error("{path} is not a regular file, so it cannot be a display picture")]
    NotAFile {
        /// The path.
        path: String,
    },
    /// The file is larger than Nudge reads.
    #[error("the file {path} is too large for a display picture (at most 20 MB)")]
    TooLarge {
        /// The file.
        path: String,
    },
    /// The file is not an image Nudge can read.
    #[error("{what} is not a picture Nudge can read (PNG, JPEG, GIF or WebP): {reason}")]
    NotAPicture {
        /// The file (or the built-in picture).
        what: String,
        /// What the decoder said.
        reason: String,
    },
    /// No built-in picture has that name.
    #[error("Nudge has no built-in picture called {0}")]
    UnknownBuiltin(String),
}

/// Makes a square 96×96 PNG out of an image file's bytes (off the async threads: decoding a
/// large photo takes a while).
pub fn prepare(bytes: &[u8], what: &str) -> Result<Prepared, PictureError> {
    let not_a_picture = |reason: String| PictureError::NotAPicture {
        what: what.to_owned(),
        reason,
    };
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| not_a_picture(e.to_string()))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_FILE_SIDE);
    limits.max_image_height = Some(MAX_FILE_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| not_a_picture(e.to_string()))?;
    // Phone photos are stored sideways with an EXIF note saying how to turn them.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image =
        image::DynamicImage::from_decoder(decoder).map_err(|e| not_a_picture(e.to_string()))?;
    image.apply_orientation(orientation);
    let side = image.width().min(image.height());
    if side == 0 {
        return Err(not_a_picture("it has no pixels".to_owned()));
    }
    // The middle square, as Messenger cropped display pictures.
    let square = image.crop_imm(
        (image.width() - side) / 2,
        (image.height() - side) / 2,
        side,
        side,
    );
    let small = square.resize_exact(SIDE, SIDE, image::imageops::FilterType::Lanczos3);
    let mut png = std::io::Cursor::new(Vec::new());
    small
        .to_rgba8()
        .write_to(&mut png, image::ImageFormat::Png)
        .map_err(|e| not_a_picture(e.to_string()))?;
    let png = png.into_inner();
    Ok(Prepared {
        sha1: wire::sha1_hex(&png),
        png: png.into(),
        with_options: true,
    })
}

/// Reads and prepares the picture in the file at `path`.
pub async fn prepare_file(path: String) -> Result<Prepared, PictureError> {
    let task = tokio::task::spawn_blocking(move || {
        use crate::platform::files::{read_regular, ReadError};
        // Only a regular file, and no more than the limit: `/dev/zero` claims 0 bytes and
        // never ends, and a FIFO would block until someone writes to it.
        let bytes =
            read_regular(std::path::Path::new(&path), MAX_FILE_BYTES).map_err(
                |error| match error {
                    ReadError::Io(source) => PictureError::Read {
                        path: path.clone(),
                        source,
                    },
                    ReadError::NotRegular => PictureError::NotAFile { path: path.clone() },
                    ReadError::TooLarge { .. } => PictureError::TooLarge { path: path.clone() },
                },
            )?;
        prepare(&bytes, &format!("the file {path}"))
    });
    match task.await {
        Ok(result) => result,
        Err(error) => Err(PictureError::NotAPicture {
            what: "the file".to_owned(),
            reason: error.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(image: image::RgbaImage, format: image::ImageFormat) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgba8(image)
            .to_rgb8()
            .write_to(&mut out, format)
            .expect("encode");
        out.into_inner()
    }

    #[test]
    fn a_wide_photo_becomes_its_middle_square_at_96_pixels() {
        // Left third red, middle third green, right third blue: only green survives the crop.
        let image = image::RgbaImage::from_fn(300, 100, |x, _| match x {
            0..100 => image::Rgba([255, 0, 0, 255]),
            100..200 => image::Rgba([0, 255, 0, 255]),
            _ => image::Rgba([0, 0, 255, 255]),
        });
        for format in [image::ImageFormat::Png, image::ImageFormat::Jpeg] {
            let prepared = prepare(&encoded(image.clone(), format), "test").expect("prepared");
            assert_eq!(prepared.sha1, wire::sha1_hex(&prepared.png));
            assert_eq!(wire::check_png(&prepared.png), Ok((SIDE, SIDE)));
            let back = image::load_from_memory(&prepared.png)
                .expect("png")
                .to_rgba8();
            for (x, y) in [(0, 0), (48, 48), (95, 95)] {
                let [r, g, b, _] = back.get_pixel(x, y).0;
                assert!(
                    g > 200 && r < 60 && b < 60,
                    "{format:?} at {x},{y}: {r},{g},{b}"
                );
            }
        }
    }

    #[test]
    fn a_photo_is_turned_as_its_exif_orientation_says() {
        // Top half red, bottom half blue; EXIF orientation 6 says "turn 90° clockwise", which
        // puts the top on the right.
        let image = image::RgbImage::from_fn(200, 100, |_, y| {
            if y < 50 {
                image::Rgb([255, 0, 0])
            } else {
                image::Rgb([0, 0, 255])
            }
        });
        let exif: Vec<u8> = [
            &b"II*\0"[..],
            &8u32.to_le_bytes(),
            &1u16.to_le_bytes(),
            &0x0112u16.to_le_bytes(),
            &3u16.to_le_bytes(),
            &1u32.to_le_bytes(),
            &6u16.to_le_bytes(),
            &0u16.to_le_bytes(),
            &0u32.to_le_bytes(),
        ]
        .concat();
        let mut jpeg = Vec::new();
        let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95);
        image::ImageEncoder::set_exif_metadata(&mut encoder, exif).expect("exif");
        image::ImageEncoder::write_image(
            encoder,
            image.as_raw(),
            200,
            100,
            image::ExtendedColorType::Rgb8,
        )
        .expect("jpeg");
        let prepared = prepare(&jpeg, "photo").expect("prepared");
        let back = image::load_from_memory(&prepared.png)
            .expect("png")
            .to_rgb8();
        let [r, _, b] = back.get_pixel(10, 10).0;
        assert!(b > 200 && r < 60, "left is the bottom (blue): {r},{b}");
        let [r, _, b] = back.get_pixel(85, 85).0;
        assert!(r > 200 && b < 60, "right is the top (red): {r},{b}");
    }

    #[test]
    fn junk_is_not_a_picture() {
        let error = prepare(b"this is not an image", "the file notes.txt").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("the file notes.txt is not a picture"),
            "{error}"
        );
        let mut png = encoded(image::RgbaImage::new(50, 50), image::ImageFormat::Png);
        png.truncate(png.len() / 2);
        assert!(prepare(&png, "half").is_err());
    }

    /// `prepare_file`, given up on after a few seconds (a reader that blocks never returns).
    #[cfg(unix)]
    async fn prepare_file_soon(path: &std::path::Path) -> Result<Prepared, PictureError> {
        let path = path.to_str().expect("utf-8").to_owned();
        tokio::time::timeout(std::time::Duration::from_secs(5), prepare_file(path))
            .await
            .expect("the picture reader returns instead of blocking")
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn fifos_devices_and_folders_are_refused_without_reading() {
        let dir = tempfile::tempdir().expect("dir");
        let fifo = dir.path().join("picture.png");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        // Nobody ever writes to it: a reader that opens it plainly waits forever.
        let error = prepare_file_soon(&fifo).await.expect_err("a FIFO");
        assert!(matches!(error, PictureError::NotAFile { .. }), "{error}");
        assert!(error.to_string().contains("not a regular file"), "{error}");
        // /dev/zero says it is empty and never ends.
        let error = prepare_file_soon(std::path::Path::new("/dev/zero"))
            .await
            .expect_err("a device");
        assert!(matches!(error, PictureError::NotAFile { .. }), "{error}");
        let error = prepare_file_soon(dir.path()).await.expect_err("a folder");
        assert!(matches!(error, PictureError::NotAFile { .. }), "{error}");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_file_over_the_limit_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let big = dir.path().join("big.png");
        let file = std::fs::File::create(&big).expect("create");
        file.set_len(MAX_FILE_BYTES + 1).expect("sparse file");
        let error = prepare_file_soon(&big).await.expect_err("too large");
        assert!(matches!(error, PictureError::TooLarge { .. }), "{error}");
    }

    #[test]
    fn every_builtin_picture_prepares() {
        for picture in crate::model::BUILTIN_PICTURES {
            let prepared = prepare(picture.png, picture.label).expect(picture.name);
            assert!(prepared.png.len() < wire::MAX_BYTES);
        }
        assert!(crate::model::builtin_picture("beach").is_some());
        assert!(crate::model::builtin_picture("../etc").is_none());
    }
}
