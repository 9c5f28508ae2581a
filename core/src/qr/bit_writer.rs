//! Bits appended most significant first into bytes: for the parts of a bit stream the `qrcode`
//! crate cannot write (a structured-append header, an rMQR symbol's stream).

/// A growing bit stream. Invariant: `bytes.len() == len.div_ceil(8)`, and the bits after `len`
/// in the last byte are clear.
#[derive(Debug, Default)]
pub struct BitWriter {
  bytes: Vec<u8>,
  len: usize,
}

impl BitWriter {
  /// Bits written so far.
  pub fn len(&self) -> usize {
    self.len
  }

  /// Appends the low `count` bits of `value`, most significant first.
  pub fn push(&mut self, value: u32, count: usize) {
    for shift in (0..count).rev() {
      if self.len.is_multiple_of(8) {
        self.bytes.push(0);
      }
      if value >> shift & 1 == 1 {
        *self.bytes.last_mut().expect("a byte was pushed") |= 0x80 >> (self.len % 8);
      }
      self.len += 1;
    }
  }

  /// Appends bits `from..to` of `bytes`, read most significant first.
  pub fn push_slice(&mut self, bytes: &[u8], from: usize, to: usize) {
    for bit in from..to {
      self.push(u32::from(bytes[bit / 8] >> (7 - bit % 8) & 1), 1);
    }
  }

  /// The terminator (up to `terminator` zero bits, as many as `capacity` leaves room for),
  /// zeros to the byte, then the pad codewords 0xEC and 0x11 in turn up to `capacity` bits
  /// (a multiple of 8): the data codewords of a symbol.
  pub fn finish(mut self, terminator: usize, capacity: usize) -> Vec<u8> {
    let terminator = capacity.saturating_sub(self.len).min(terminator);
    self.push(0, terminator);
    self.push(0, (8 - self.len % 8) % 8);
    for pad in [0xec, 0x11].into_iter().cycle() {
      if self.len >= capacity {
        break;
      }
      self.push(pad, 8);
    }
    self.bytes
  }
}
