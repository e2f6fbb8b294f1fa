//! A minimal, bounds-checked FlatBuffers reader: tables, their vtables, vectors and strings,
//! on a byte slice, with every offset checked. Malformed input gives [`TfliteError::Malformed`],
//! never a panic, never a read outside the slice.
//!
//! Why not the `flatbuffers` crate: dl needs about a dozen fields of the TFLite schema, read
//! once, in `no_std` without `alloc`; the crate would bring the 10,000-line generated schema
//! code (or a code generator in the build) and its verifier to dl-core's default build. This
//! reader is the format's wire rules (root `u32` offset; a table starts with an `i32` offset
//! back to its vtable of `u16` field offsets; vectors are a `u32` length then elements) and
//! nothing else.

use super::error::TfliteError;

/// The whole file.
#[derive(Clone, Copy, Debug)]
pub struct Buf<'a>(pub &'a [u8]);

fn malformed(what: &'static str) -> TfliteError {
    TfliteError::Malformed { what }
}

impl<'a> Buf<'a> {
    fn bytes<const N: usize>(self, pos: usize, what: &'static str) -> Result<[u8; N], TfliteError> {
        let end = pos.checked_add(N).ok_or(malformed(what))?;
        self.0
            .get(pos..end)
            .and_then(|b| b.try_into().ok())
            .ok_or(malformed(what))
    }

    pub(crate) fn u8(self, pos: usize, what: &'static str) -> Result<u8, TfliteError> {
        Ok(self.bytes::<1>(pos, what)?[0])
    }
    pub(crate) fn u16(self, pos: usize, what: &'static str) -> Result<u16, TfliteError> {
        Ok(u16::from_le_bytes(self.bytes(pos, what)?))
    }
    pub(crate) fn u32(self, pos: usize, what: &'static str) -> Result<u32, TfliteError> {
        Ok(u32::from_le_bytes(self.bytes(pos, what)?))
    }
    pub(crate) fn i32(self, pos: usize, what: &'static str) -> Result<i32, TfliteError> {
        Ok(i32::from_le_bytes(self.bytes(pos, what)?))
    }
    pub(crate) fn i64(self, pos: usize, what: &'static str) -> Result<i64, TfliteError> {
        Ok(i64::from_le_bytes(self.bytes(pos, what)?))
    }
    pub(crate) fn f32(self, pos: usize, what: &'static str) -> Result<f32, TfliteError> {
        Ok(f32::from_le_bytes(self.bytes(pos, what)?))
    }

    /// The target of the `u32` forward offset stored at `pos`.
    fn follow(self, pos: usize, what: &'static str) -> Result<usize, TfliteError> {
        let off = self.u32(pos, what)? as usize;
        let target = pos.checked_add(off).ok_or(malformed(what))?;
        if target >= self.0.len() {
            return Err(malformed(what));
        }
        Ok(target)
    }

    /// The root table.
    pub fn root(self) -> Result<Table<'a>, TfliteError> {
        Table::at(self, self.follow(0, "root offset")?, "root table")
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
    fn at(buf: Buf<'a>, pos: usize, what: &'static str) -> Result<Table<'a>, TfliteError> {
        let soff = buf.i32(pos, what)? as i64;
        let vtable = usize::try_from(pos as i64 - soff).map_err(|_| malformed(what))?;
        let vtable_len = buf.u16(vtable, what)? as usize;
        if vtable_len < 4 || !vtable_len.is_multiple_of(2) {
            return Err(malformed(what));
        }
        buf.bytes::<1>(vtable + vtable_len - 1, what)?;
        Ok(Table {
            buf,
            pos,
            vtable,
            vtable_len,
        })
    }

    /// Where field `i`'s value is, if present.
    fn field(&self, i: usize, what: &'static str) -> Result<Option<usize>, TfliteError> {
        let entry = 4 + 2 * i;
        if entry + 2 > self.vtable_len {
            return Ok(None);
        }
        match self.buf.u16(self.vtable + entry, what)? {
            0 => Ok(None),
            off => Ok(Some(self.pos + off as usize)),
        }
    }

    /// A scalar field read by `read`, or `default` when absent.
    fn scalar<T>(
        &self,
        i: usize,
        default: T,
        what: &'static str,
        read: impl Fn(Buf<'a>, usize, &'static str) -> Result<T, TfliteError>,
    ) -> Result<T, TfliteError> {
        match self.field(i, what)? {
            Some(p) => read(self.buf, p, what),
            None => Ok(default),
        }
    }

    /// An unsigned byte field.
    pub fn u8(&self, i: usize, default: u8, what: &'static str) -> Result<u8, TfliteError> {
        self.scalar(i, default, what, Buf::u8)
    }
    /// A signed byte field.
    pub fn i8(&self, i: usize, default: i8, what: &'static str) -> Result<i8, TfliteError> {
        self.scalar(i, default, what, |b, p, w| b.u8(p, w).map(|v| v as i8))
    }
    /// A `u32` field.
    pub fn u32(&self, i: usize, default: u32, what: &'static str) -> Result<u32, TfliteError> {
        self.scalar(i, default, what, Buf::u32)
    }
    /// An `i32` field.
    pub fn i32(&self, i: usize, default: i32, what: &'static str) -> Result<i32, TfliteError> {
        self.scalar(i, default, what, Buf::i32)
    }
    /// An `f32` field.
    pub fn f32(&self, i: usize, default: f32, what: &'static str) -> Result<f32, TfliteError> {
        self.scalar(i, default, what, |b, p, w| b.u32(p, w).map(f32::from_bits))
    }
    /// A `u64` field.
    pub fn u64(&self, i: usize, default: u64, what: &'static str) -> Result<u64, TfliteError> {
        self.scalar(i, default, what, |b, p, w| b.i64(p, w).map(|v| v as u64))
    }

    /// A sub-table field.
    pub fn table(&self, i: usize, what: &'static str) -> Result<Option<Table<'a>>, TfliteError> {
        match self.field(i, what)? {
            Some(p) => Ok(Some(Table::at(self.buf, self.buf.follow(p, what)?, what)?)),
            None => Ok(None),
        }
    }

    /// A vector field of elements `elem` bytes wide (absent: empty).
    pub fn vector(
        &self,
        i: usize,
        elem: usize,
        what: &'static str,
    ) -> Result<Vector<'a>, TfliteError> {
        let Some(p) = self.field(i, what)? else {
            return Ok(Vector {
                buf: self.buf,
                start: 0,
                len: 0,
                elem,
            });
        };
        let at = self.buf.follow(p, what)?;
        let len = self.buf.u32(at, what)? as usize;
        let start = at + 4;
        let end = len
            .checked_mul(elem)
            .and_then(|n| n.checked_add(start))
            .ok_or(malformed(what))?;
        if end > self.buf.0.len() {
            return Err(malformed(what));
        }
        Ok(Vector {
            buf: self.buf,
            start,
            len,
            elem,
        })
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
    pub fn empty() -> Vector<'a> {
        Vector {
            buf: Buf(&[]),
            start: 0,
            len: 0,
            elem: 1,
        }
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.len
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    fn pos(&self, i: usize, what: &'static str) -> Result<usize, TfliteError> {
        if i >= self.len {
            return Err(malformed(what));
        }
        Ok(self.start + i * self.elem)
    }
    /// The raw bytes (a `[ubyte]` vector).
    pub fn bytes(&self) -> &'a [u8] {
        &self.buf.0[self.start..self.start + self.len * self.elem]
    }
    /// Element `i` of an `[int]` vector.
    pub fn i32(&self, i: usize, what: &'static str) -> Result<i32, TfliteError> {
        self.buf.i32(self.pos(i, what)?, what)
    }
    /// Element `i` of a `[float]` vector.
    pub fn f32(&self, i: usize, what: &'static str) -> Result<f32, TfliteError> {
        self.buf.f32(self.pos(i, what)?, what)
    }
    /// Element `i` of a `[long]` vector.
    pub fn i64(&self, i: usize, what: &'static str) -> Result<i64, TfliteError> {
        self.buf.i64(self.pos(i, what)?, what)
    }
    /// Element `i` of a vector of tables.
    pub fn table(&self, i: usize, what: &'static str) -> Result<Table<'a>, TfliteError> {
        let p = self.pos(i, what)?;
        Table::at(self.buf, self.buf.follow(p, what)?, what)
    }
}
