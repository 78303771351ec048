//! Byte-level helpers for the hw-sim protocol: little-endian fields, length-prefixed
//! bytes and strings, and a reader that reports truncation instead of panicking.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    /// The frame ended inside the named field.
    Truncated { field: &'static str },
    /// Bytes left over after a complete message.
    TrailingBytes { count: usize },
    /// The frame was written by a protocol version this side does not speak.
    UnsupportedVersion { got: u8, supported: u8 },
    /// No message of this type exists.
    UnknownTag { what: &'static str, tag: u8 },
    /// A field holds a value outside its range.
    BadValue { field: &'static str, value: u64 },
    /// A string field is not UTF-8.
    BadUtf8 { field: &'static str },
    /// The length prefix announces more than the protocol allows.
    FrameTooLong { length: usize, max: usize },
    /// The frame is shorter than its fixed header.
    FrameTooShort { length: usize },
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::Truncated { field } => write!(f, "message truncated in field `{field}`"),
            ProtocolError::TrailingBytes { count } => write!(f, "{count} unexpected bytes after the message"),
            ProtocolError::UnsupportedVersion { got, supported } => {
                write!(f, "protocol version {got} not supported (this side speaks {supported})")
            }
            ProtocolError::UnknownTag { what, tag } => write!(f, "unknown {what} type {tag}"),
            ProtocolError::BadValue { field, value } => write!(f, "field `{field}` has invalid value {value}"),
            ProtocolError::BadUtf8 { field } => write!(f, "field `{field}` is not UTF-8"),
            ProtocolError::FrameTooLong { length, max } => {
                write!(f, "frame length {length} exceeds the maximum {max}")
            }
            ProtocolError::FrameTooShort { length } => write!(f, "frame of {length} bytes has no header"),
        }
    }
}

impl std::error::Error for ProtocolError {}

impl From<ProtocolError> for crate::error::Error {
    fn from(e: ProtocolError) -> Self {
        crate::error::Error::Protocol(e.to_string())
    }
}

pub struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    pub fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn i32(&mut self, v: i32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn f64(&mut self, v: f64) {
        self.u64(v.to_bits());
    }
    pub fn bytes(&mut self, v: &[u8]) {
        self.u32(v.len() as u32);
        self.buf.extend_from_slice(v);
    }
    pub fn str(&mut self, v: &str) {
        let v = &v.as_bytes()[..v.len().min(u16::MAX as usize)];
        self.u16(v.len() as u16);
        self.buf.extend_from_slice(v);
    }
}

pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }
    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], ProtocolError> {
        if self.data.len() - self.pos < n {
            return Err(ProtocolError::Truncated { field });
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    pub fn u8(&mut self, field: &'static str) -> Result<u8, ProtocolError> {
        Ok(self.take(1, field)?[0])
    }
    pub fn u16(&mut self, field: &'static str) -> Result<u16, ProtocolError> {
        Ok(u16::from_le_bytes(self.take(2, field)?.try_into().unwrap()))
    }
    pub fn u32(&mut self, field: &'static str) -> Result<u32, ProtocolError> {
        Ok(u32::from_le_bytes(self.take(4, field)?.try_into().unwrap()))
    }
    pub fn i32(&mut self, field: &'static str) -> Result<i32, ProtocolError> {
        Ok(i32::from_le_bytes(self.take(4, field)?.try_into().unwrap()))
    }
    pub fn u64(&mut self, field: &'static str) -> Result<u64, ProtocolError> {
        Ok(u64::from_le_bytes(self.take(8, field)?.try_into().unwrap()))
    }
    /// A finite f64 (NaN and infinities are refused).
    pub fn f64(&mut self, field: &'static str) -> Result<f64, ProtocolError> {
        let bits = self.u64(field)?;
        let v = f64::from_bits(bits);
        if v.is_finite() {
            Ok(v)
        } else {
            Err(ProtocolError::BadValue { field, value: bits })
        }
    }
    pub fn bytes(&mut self, field: &'static str) -> Result<Vec<u8>, ProtocolError> {
        let n = self.u32(field)? as usize;
        Ok(self.take(n, field)?.to_vec())
    }
    pub fn str(&mut self, field: &'static str) -> Result<String, ProtocolError> {
        let n = self.u16(field)? as usize;
        let raw = self.take(n, field)?;
        String::from_utf8(raw.to_vec()).map_err(|_| ProtocolError::BadUtf8 { field })
    }
    /// A count of items that each take at least `min_item_bytes`: rejects counts
    /// the remaining bytes cannot hold, so a hostile count allocates nothing.
    pub fn count(&mut self, field: &'static str, min_item_bytes: usize) -> Result<usize, ProtocolError> {
        let n = self.u32(field)? as usize;
        if n.saturating_mul(min_item_bytes.max(1)) > self.data.len() - self.pos {
            return Err(ProtocolError::Truncated { field });
        }
        Ok(n)
    }
    pub fn finish(self) -> Result<(), ProtocolError> {
        match self.data.len() - self.pos {
            0 => Ok(()),
            count => Err(ProtocolError::TrailingBytes { count }),
        }
    }
}
