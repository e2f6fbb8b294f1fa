//! What can go wrong reading an image folder, each case naming the file or folder at fault.

use std::fmt;
use std::path::PathBuf;
use std::string::String;

/// Why an image folder, a split file or an image could not be used. Every variant that
/// concerns a file or folder names it.
#[derive(Debug)]
pub enum ImageError {
    /// A file or folder could not be read.
    Io {
        /// The path.
        path: PathBuf,
        /// What the operating system said.
        error: std::io::Error,
    },
    /// The file is a PNG or JPEG that does not decode (truncated, corrupt, too large).
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What the decoder said.
        message: String,
    },
    /// The file is neither a PNG nor a JPEG (judged by its first bytes, not its name).
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// A class folder holds no image.
    EmptyClass {
        /// The folder.
        path: PathBuf,
    },
    /// The root holds no class folder.
    NoClasses {
        /// The root.
        path: PathBuf,
    },
    /// A class folder's name is not valid UTF-8.
    NonUtf8Name {
        /// The folder.
        path: PathBuf,
    },
    /// The image is smaller than the crop taken from it.
    TooSmall {
        /// The file.
        path: PathBuf,
        /// Its width and height.
        size: (u32, u32),
        /// The width and height the crop needs.
        needed: (u32, u32),
    },
    /// The sizes the folder yields do not fit the network (input `C * H * W`, or the
    /// target's length for the label kind).
    Shape {
        /// `"input"` or `"target"`.
        what: &'static str,
        /// The length the folder yields.
        expected: usize,
        /// The network's length.
        found: usize,
    },
    /// A setting is out of range (channels other than 1 or 3, a size of 0, a standard
    /// deviation that is not positive, binary labels for other than 2 classes...).
    Config(&'static str),
    /// A split file's line is wrong (malformed, an unknown part, an unknown image), or an
    /// image is not in it.
    Split {
        /// The split file.
        path: PathBuf,
        /// The line, from 1 (0: the file as a whole).
        line: usize,
        /// What is wrong.
        message: String,
    },
}

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageError::Io { path, error } => write!(f, "{}: cannot read: {error}", path.display()),
            ImageError::Corrupt { path, message } => {
                write!(f, "{}: corrupt image: {message}", path.display())
            }
            ImageError::UnknownFormat { path } => write!(
                f,
                "{}: not a PNG or JPEG image (unknown format)",
                path.display()
            ),
            ImageError::EmptyClass { path } => {
                write!(f, "{}: class folder holds no image", path.display())
            }
            ImageError::NoClasses { path } => {
                write!(
                    f,
                    "{}: no class folders (one sub-folder a class)",
                    path.display()
                )
            }
            ImageError::NonUtf8Name { path } => write!(
                f,
                "{}: class folder name is not valid UTF-8",
                path.display()
            ),
            ImageError::TooSmall { path, size, needed } => write!(
                f,
                "{}: image is {}x{}, too small to crop {}x{}",
                path.display(),
                size.0,
                size.1,
                needed.0,
                needed.1
            ),
            ImageError::Shape {
                what,
                expected,
                found,
            } => write!(
                f,
                "the image folder yields {what}s of {expected} values but the network's \
                 {what} has {found}"
            ),
            ImageError::Config(message) => write!(f, "image settings: {message}"),
            ImageError::Split {
                path,
                line,
                message,
            } => write!(f, "{}:{line}: {message}", path.display()),
        }
    }
}

impl std::error::Error for ImageError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ImageError::Io { error, .. } => Some(error),
            _ => None,
        }
    }
}
