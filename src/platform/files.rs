//! Reading a file someone named (a display picture given to `nudge ctl avatar`, a
//! registration dropped by an installer) without being tricked into reading forever.
//!
//! Only regular files are read: a FIFO would block the reader until someone writes to it, and
//! a device such as `/dev/zero` reports a size of 0 and then never ends. The file is opened
//! without waiting (so opening a FIFO does not block either), checked on the opened handle (so
//! it cannot be swapped after the check), and read up to the limit plus one byte, which is how
//! a file larger than it claims is caught.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// Why a file was not read, in plain words (they finish "the file ...").
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Opening or reading failed.
    #[error("could not be read: {0}")]
    Io(#[from] io::Error),
    /// A FIFO, a device, a socket or a folder.
    #[error("is not a regular file")]
    NotRegular,
    /// Larger than the reader's limit.
    #[error("is larger than {max} bytes")]
    TooLarge {
        /// The limit.
        max: u64,
    },
}

/// Reads the regular file at `path`, refusing anything else and anything over `max` bytes.
pub fn read_regular(path: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    let file = open_regular(path)?;
    let claimed = file.metadata()?.len();
    if claimed > max {
        return Err(ReadError::TooLarge { max });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(claimed).unwrap_or(0));
    // One byte more than allowed tells a file that grew (or lied about its size) apart.
    file.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge { max });
    }
    Ok(bytes)
}

/// Opens `path` for reading if, once open, it is a regular file.
fn open_regular(path: &Path) -> Result<File, ReadError> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO for reading would wait for a writer; without waiting it opens at once
        // and is then refused below. Reading a regular file is the same either way.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(ReadError::NotRegular);
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_are_read_up_to_the_limit() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("f");
        std::fs::write(&path, b"12345").expect("write");
        assert_eq!(read_regular(&path, 5).expect("read"), b"12345");
        assert!(matches!(
            read_regular(&path, 4),
            Err(ReadError::TooLarge { max: 4 })
        ));
        assert!(matches!(
            read_regular(&dir.path().join("missing"), 5),
            Err(ReadError::Io(_))
        ));
        assert!(matches!(
            read_regular(dir.path(), 5),
            Err(ReadError::NotRegular)
        ));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_that_claims_nothing_and_never_ends_is_not_read() {
        // Regular files under /proc report a size of 0 yet hold text: read, but only so far.
        let status = read_regular(Path::new("/proc/self/status"), 1 << 20).expect("read");
        assert!(!status.is_empty());
        assert!(matches!(
            read_regular(Path::new("/proc/self/status"), 10),
            Err(ReadError::TooLarge { max: 10 })
        ));
        // Devices are refused before a byte is read.
        for device in ["/dev/zero", "/dev/urandom"] {
            assert!(
                matches!(
                    read_regular(Path::new(device), 10),
                    Err(ReadError::NotRegular)
                ),
                "{device}"
            );
        }
    }
}
