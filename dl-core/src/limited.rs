//! Reading a whole file with a size limit (`std` only), for every loader that reads one:
//! a file larger than the limit, or one that never ends (`/dev/zero`, a FIFO), is refused
//! after reading at most `limit + 1` bytes instead of growing a buffer until memory runs out.

use std::io::Read;
use std::path::Path;
use std::vec::Vec;

/// The bytes of file `path`, or `Ok(None)` if it holds more than `limit` bytes. A regular
/// file whose size the file system reports above `limit` is refused before reading; any
/// other is read through a `take(limit + 1)`.
pub(crate) fn read(path: &Path, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let file = std::fs::File::open(path)?;
    let metadata = file.metadata()?;
    if metadata.is_file() && metadata.len() > limit {
        return Ok(None);
    }
    let expected = if metadata.is_file() {
        metadata.len()
    } else {
        0
    };
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Ok(None);
    }
    Ok(Some(bytes))
}
