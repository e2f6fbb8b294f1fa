//! A minimal, bounds-checked FlatBuffers reader: tables, their vtables, vectors and strings,
//! on a byte slice, with every offset checked. Malformed input gives [`TfliteError::Malformed`],
//! never a panic, never a read outside the slice.
//!
//! Every function is a `const fn`, so the same reader serves the run-time import and the
//! compile-time one (`network!`'s `#[tflite("...")]`, evaluated by rustc): one parser, not
//! two.
//!
//! Why not the `flatbuffers` crate: dl needs about a dozen fields of the TFLite schema, read
//! once, in `no_std` without `alloc`; the crate would bring the 10,000-line generated schema
//! code (or a code generator in the build) and its verifier to dl-core's default build, and
//! it cannot run in a `const`. This reader is the format's wire rules (root `u32` offset; a
//! table starts with an `i32` offset back to its vtable of `u16` field offsets; vectors are a
//! `u32` length then elements) and nothing else.

use super::error::TfliteError;

/// `?` for `const fn`s.
macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return Err(e),
        }
    };
}
pub(crate) use tri;

/// The whole file.
#[derive(Clone, Copy, Debug)]
pub struct Buf<'a>(pub &'a [u8]);

const fn malformed(what: &'static str) -> TfliteError {
    TfliteError::Malformed { what }
}

impl<'a> Buf<'a> {
    const fn bytes<const N: usize>(
        self,
        pos: usize,
        what: &'static str,
    ) -> Result<[u8; N], TfliteError> {
        let end = match pos.checked_add(N) {
            Some(end) if end <= self.0.len() => end,
            _ => return Err(malformed(what)),
        };
        let mut out = [0u8; N];
        let mut i = 0;
        while pos + i < end {
            out[i] = self.0[pos + i];
            i += 1;
        }
        Ok(out)
    }

    pub(crate) const fn u8(self, pos: usize, what: &'static str) -> Result<u8, TfliteError> {
        Ok(tri!(self.bytes::<1>(pos, what))[0])
    }
    pub(crate) const fn u16(self, pos: usize, what: &'static str) -> Result<u16, TfliteError> {
        Ok(u16::from_le_bytes(tri!(self.bytes(pos, what))))
    }
    pub(crate) const fn u32(self, pos: usize, what: &'static str) -> Result<u32, TfliteError> {
        Ok(u32::from_le_bytes(tri!(self.bytes(pos, what))))
    }
    pub(crate) const fn i32(self, pos: usize, what: &'static str) -> Result<i32, TfliteError> {
        Ok(i32::from_le_bytes(tri!(self.bytes(pos, what))))
    }
    pub(crate) const fn i64(self, pos: usize, what: &'static str) -> Result<i64, TfliteError> {
        Ok(i64::from_le_bytes(tri!(self.bytes(pos, what))))
    }
    pub(crate) const fn f32(self, pos: usize, what: &'static str) -> Result<f32, TfliteError> {
        Ok(f32::from_bits(tri!(self.u32(pos, what))))
    }

    /// The target of the `u32` forward offset stored at `pos`.
    const fn follow(self, pos: usize, what: &'static str) -> Result<usize, TfliteError> {
        let off = tri!(self.u32(pos, what)) as usize;
        match pos.checked_add(off) {
            Some(target) if target < self.0.len() => Ok(target),
            _ => Err(malformed(what)),
        }
    }

    /// The root table.
    pub const fn root(self) -> Result<Table<'a>, TfliteError> {
        Table::at(self, tri!(self.follow(0, "root offset")), "root table")
    }
}

/// A table: its position and its vtable's.
#[derive(Clone, Copy, Debug)]
pub struct Table<'a> {
    buf: Buf<'a>,
    pos: usize,
    vtable: usize,
    vtable_len: usize,
}

impl<'a> Table<'a> {
    const fn at(buf: Buf<'a>, pos: usize, what: &'static str) -> Result<Table<'a>, TfliteError> {
        let soff = tri!(buf.i32(pos, what)) as i64;
        let vtable = pos as i64 - soff;
        if vtable < 0 || vtable as u64 > usize::MAX as u64 {
            return Err(malformed(what));
        }
        let vtable = vtable as usize;
        let vtable_len = tri!(buf.u16(vtable, what)) as usize;
        if vtable_len < 4 || !vtable_len.is_multiple_of(2) {
            return Err(malformed(what));
        }
        tri!(buf.bytes::<1>(vtable + vtable_len - 1, what));
        Ok(Table {
            buf,
            pos,
            vtable,
            vtable_len,
        })
    }

    /// Where field `i`'s value is, if present.
    const fn field(&self, i: usize, what: &'static str) -> Result<Option<usize>, TfliteError> {
        let entry = 4 + 2 * i;
        if entry + 2 > self.vtable_len {
            return Ok(None);
        }
        match tri!(self.buf.u16(self.vtable + entry, what)) {
            0 => Ok(None),
            off => Ok(Some(self.pos + off as usize)),
        }
    }

    /// An unsigned byte field.
    pub const fn u8(&self, i: usize, default: u8, what: &'static str) -> Result<u8, TfliteError> {
        match tri!(self.field(i, what)) {
            Some(p) => self.buf.u8(p, what),
            None => Ok(default),
        }
    }
    /// A signed byte field.
    pub const fn i8(&self, i: usize, default: i8, what: &'static str) -> Result<i8, TfliteError> {
        Ok(tri!(self.u8(i, default as u8, what)) as i8)
    }
    /// A `u32` field.
    pub const fn u32(
        &self,
        i: usize,
        default: u32,
        what: &'static str,
    ) -> Result<u32, TfliteError> {
        match tri!(self.field(i, what)) {
            Some(p) => self.buf.u32(p, what),
            None => Ok(default),
        }
    }
    /// An `i32` field.
    pub const fn i32(
        &self,
        i: usize,
        default: i32,
        what: &'static str,
    ) -> Result<i32, TfliteError> {
        Ok(tri!(self.u32(i, default as u32, what)) as i32)
    }
    /// An `f32` field.
    pub const fn f32(
        &self,
        i: usize,
        default: f32,
        what: &'static str,
    ) -> Result<f32, TfliteError> {
        Ok(f32::from_bits(tri!(self.u32(i, default.to_bits(), what))))
    }
    /// A `u64` field.
    pub const fn u64(
        &self,
        i: usize,
        default: u64,
        what: &'static str,
    ) -> Result<u64, TfliteError> {
        match tri!(self.field(i, what)) {
            Some(p) => Ok(tri!(self.buf.i64(p, what)) as u64),
            None => Ok(default),
        }
    }

    /// A sub-table field.
    pub const fn table(
        &self,
        i: usize,
        what: &'static str,
    ) -> Result<Option<Table<'a>>, TfliteError> {
        match tri!(self.field(i, what)) {
            Some(p) => Ok(Some(tri!(Table::at(
                self.buf,
                tri!(self.buf.follow(p, what)),
                what
            )))),
            None => Ok(None),
        }
    }

    /// A vector field of elements `elem` bytes wide (absent: empty).
    pub const fn vector(
        &self,
        i: usize,
        elem: usize,
        what: &'static str,
    ) -> Result<Vector<'a>, TfliteError> {
        let Some(p) = tri!(self.field(i, what)) else {
            return Ok(Vector {
                buf: self.buf,
                start: 0,
                len: 0,
                elem,
            });
        };
        let at = tri!(self.buf.follow(p, what));
        let len = tri!(self.buf.u32(at, what)) as usize;
        let start = at + 4;
        let end = match len.checked_mul(elem) {
            Some(n) => n.checked_add(start),
            None => None,
        };
        match end {
            Some(end) if end <= self.buf.0.len() => Ok(Vector {
                buf: self.buf,
                start,
                len,
                elem,
            }),
            _ => Err(malformed(what)),
        }
    }
}

/// A vector: `len` elements of `elem` bytes from `start` (all inside the buffer).
#[derive(Clone, Copy, Debug)]
pub struct Vector<'a> {
    buf: Buf<'a>,
    start: usize,
    len: usize,
    elem: usize,
}

impl<'a> Vector<'a> {
    /// A vector with no elements.
    pub const fn empty() -> Vector<'a> {
        Vector {
            buf: Buf(&[]),
            start: 0,
            len: 0,
            elem: 1,
        }
    }

    /// The number of elements.
    pub const fn len(&self) -> usize {
        self.len
    }
    /// Whether there are none.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }
    const fn pos(&self, i: usize, what: &'static str) -> Result<usize, TfliteError> {
        if i >= self.len {
            return Err(malformed(what));
        }
        Ok(self.start + i * self.elem)
    }
    /// The raw bytes (a `[ubyte]` vector; inside the buffer, as [`Table::vector`] checked).
    pub const fn bytes(&self) -> &'a [u8] {
        let (_, tail) = self.buf.0.split_at(self.start);
        tail.split_at(self.len * self.elem).0
    }
    /// Element `i` of an `[int]` vector.
    pub const fn i32(&self, i: usize, what: &'static str) -> Result<i32, TfliteError> {
        self.buf.i32(tri!(self.pos(i, what)), what)
    }
    /// Element `i` of a `[float]` vector.
    pub const fn f32(&self, i: usize, what: &'static str) -> Result<f32, TfliteError> {
        self.buf.f32(tri!(self.pos(i, what)), what)
    }
    /// Element `i` of a `[long]` vector.
    pub const fn i64(&self, i: usize, what: &'static str) -> Result<i64, TfliteError> {
        self.buf.i64(tri!(self.pos(i, what)), what)
    }
    /// Element `i` of a vector of tables.
    pub const fn table(&self, i: usize, what: &'static str) -> Result<Table<'a>, TfliteError> {
        let p = tri!(self.pos(i, what));
        Table::at(self.buf, tri!(self.buf.follow(p, what)), what)
    }
}
