//! Unit tests of the game's pure parts.

mod board;
mod game;
mod launch;
mod link;
mod protocol;
