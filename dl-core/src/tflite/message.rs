//! Text written in a `const fn`, where `format!` is not available: the words of a
//! [`TfliteError`](super::TfliteError), for its `Display` at run time and for the panic that
//! stops the build when a compile-time import fails. One writer, so both say the same.

/// Up to [`Message::CAPACITY`] bytes of UTF-8, built by value:
///
/// ```
/// use dl_core::tflite::Message;
/// const M: Message = Message::new().str("layer ").usize(2).str(": ").int(-128);
/// assert_eq!(M.as_str(), "layer 2: -128");
/// ```
///
/// Text past the capacity is dropped at a character boundary.
#[derive(Clone, Copy)]
pub struct Message {
    bytes: [u8; Message::CAPACITY],
    len: usize,
}

impl Message {
    /// The most bytes a message holds.
    pub const CAPACITY: usize = 320;

    /// An empty message.
    pub const fn new() -> Message {
        Message {
            bytes: [0; Message::CAPACITY],
            len: 0,
        }
    }

    /// `s` appended (as much of it as fits, whole characters only).
    pub const fn str(mut self, s: &str) -> Message {
        let s = s.as_bytes();
        let mut end = s.len();
        if end > Message::CAPACITY - self.len {
            end = Message::CAPACITY - self.len;
            // Back off to a character boundary (no continuation byte 0b10xx_xxxx first).
            while end > 0 && end < s.len() && s[end] & 0xC0 == 0x80 {
                end -= 1;
            }
        }
        let mut i = 0;
        while i < end {
            self.bytes[self.len + i] = s[i];
            i += 1;
        }
        self.len += end;
        self
    }

    /// `n` in decimal.
    pub const fn usize(self, n: usize) -> Message {
        let mut digits = [0u8; 20];
        let (mut i, mut n) = (digits.len(), n);
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        match core::str::from_utf8(digits.split_at(i).1) {
            Ok(s) => self.str(s),
            Err(_) => self,
        }
    }

    /// `n` in decimal, with a minus sign if negative.
    pub const fn int(self, n: i64) -> Message {
        if n < 0 {
            self.str("-").usize(n.unsigned_abs() as usize)
        } else {
            self.usize(n as usize)
        }
    }

    /// The text so far.
    pub const fn as_str(&self) -> &str {
        match core::str::from_utf8(self.bytes.split_at(self.len).0) {
            Ok(s) => s,
            Err(_) => "",
        }
    }
}

impl Default for Message {
    fn default() -> Self {
        Message::new()
    }
}

impl core::fmt::Debug for Message {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_truncation() {
        let m = Message::new()
            .usize(0)
            .str(" ")
            .usize(usize::MAX)
            .str(" ")
            .int(i64::MIN + 1);
        assert_eq!(m.as_str(), "0 18446744073709551615 -9223372036854775807");
        let mut long = Message::new();
        for _ in 0..Message::CAPACITY {
            long = long.str("é");
        }
        assert_eq!(long.as_str().len(), Message::CAPACITY);
        assert!(long.as_str().chars().all(|c| c == 'é'));
    }
}
