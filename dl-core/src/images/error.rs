//! What can go wrong reading an image folder, each case naming the file or folder at fault.

use crate::error::Operand;
use std::path::PathBuf;
use std::string::String;

/// Why an image folder, a split file or an image could not be used. Every variant that
/// concerns a file or folder names it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// A file or folder could not be read.
    #[error("{}: cannot read: {error}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        error: std::io::Error,
    },
    /// The file is a PNG or JPEG that does not decode (truncated, corrupt, too large).
    #[error("{}: corrupt image: {message}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What the decoder said.
        message: String,
    },
    /// The file is neither a PNG nor a JPEG (judged by its first bytes, not its name).
    #[error("{}: not a PNG or JPEG image (unknown format)", path.display())]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// A class folder holds no image.
    #[error("{}: class folder holds no image", path.display())]
    EmptyClass {
        /// The folder.
        path: PathBuf,
    },
    /// The root holds no class folder.
    #[error("{}: no class folders (one sub-folder a class)", path.display())]
    NoClasses {
        /// The root.
        path: PathBuf,
    },
    /// A class folder's name is not valid UTF-8.
    #[error("{}: class folder name is not valid UTF-8", path.display())]
    NonUtf8Name {
        /// The folder.
        path: PathBuf,
    },
    /// The image is smaller than the crop taken from it.
    #[error("{}: image is {}x{}, too small to crop {}x{}", path.display(), size.0, size.1, needed.0, needed.1)]
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
    #[error(
        "the image folder yields {what}s of {expected} values but the network's {what} has {found}"
    )]
    Shape {
        /// [`Operand::Input`] or [`Operand::Target`].
        what: Operand,
        /// The length the folder yields.
        expected: usize,
        /// The network's length.
        found: usize,
    },
    /// A setting is out of range (channels other than 1 or 3, a size of 0, a standard
    /// deviation that is not positive, binary labels for other than 2 classes...).
    #[error("image settings: {0}")]
    Config(&'static str),
    /// A split file's line is wrong (malformed, an unknown part, an unknown image), or an
    /// image is not in it.
    #[error("{}:{line}: {message}", path.display())]
    Split {
        /// The split file.
        path: PathBuf,
        /// The line, from 1 (0: the file as a whole).
        line: usize,
        /// What is wrong.
        message: String,
    },
}
