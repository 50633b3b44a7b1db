//! For benchmarks: with `NUDGE_FRAME_LOG=FILE` set, the window records when each frame was drawn
//! (Unix time in milliseconds, kept in memory) and a background thread rewrites FILE twice a
//! second. Nothing is written on the UI thread, so measuring does not change what is measured.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The environment variable naming the file.
pub const VARIABLE: &str = "NUDGE_FRAME_LOG";

/// Wraps an app and records its frames.
pub struct FrameLog<A> {
    app: A,
    frames: Arc<Mutex<Vec<i64>>>,
}

impl<A> FrameLog<A> {
    /// Records the frames of `app` into `file`.
    pub fn new(app: A, file: PathBuf) -> Self {
        let frames = Arc::new(Mutex::new(Vec::new()));
        let shared = frames.clone();
        std::thread::spawn(move || {
            let mut written = usize::MAX;
            loop {
                std::thread::sleep(std::time::Duration::from_millis(500));
                let lines: Vec<String> = match shared.lock() {
                    Ok(frames) if frames.len() != written => {
                        written = frames.len();
                        frames.iter().map(i64::to_string).collect()
                    }
                    Ok(_) => continue,
                    Err(_) => return,
                };
                if let Err(error) = std::fs::write(&file, lines.join("\n") + "\n") {
                    tracing::warn!("could not write the frame log {}: {error}", file.display());
                    return;
                }
            }
        });
        Self { app, frames }
    }
}

impl<A: eframe::App> eframe::App for FrameLog<A> {
    fn logic(&mut self, ctx: &egui::Context, frame: &mut eframe::Frame) {
        self.app.logic(ctx, frame);
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        if let Ok(mut frames) = self.frames.lock() {
            frames.push(crate::model::now_ms());
        }
        self.app.ui(ui, frame);
    }

    fn on_exit(&mut self, gl: Option<&eframe::glow::Context>) {
        self.app.on_exit(gl);
    }
}
