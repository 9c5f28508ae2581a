//! Fixed-size records, each hashed on its own: the batch and Merkle-leaf workload.

use sha2::{Digest as _, Sha256};

use super::{short, Digest, DIGEST_LEN};
use crate::cancel::{CancelToken, Cancelled};
use crate::slice::Deadline;

/// Bytes of records hashed between looks at the cancel token and progress reports: about a
/// tenth of a millisecond of work, so cancelling and progress stay prompt at any record size.
const STEP_BYTES: usize = 256 << 10;

/// Writes the digest of each `record_size`-byte record of `input` to the next [`DIGEST_LEN`] bytes of
/// `output`, reporting each step's record count to `progress`, until every record is done or
/// `deadline` passes (after one step at least). Returns how many records were hashed: the
/// caller goes on from there in its next slice.
///
/// Callers guarantee `record_size > 0`, `input.len() % record_size == 0` and
/// `output.len() == input.len() / record_size * DIGEST_LEN`.
pub fn hash_records(
  input: &[u8],
  record_size: usize,
  output: &mut [u8],
  deadline: Deadline,
  cancel: &CancelToken,
  progress: &dyn Fn(u64),
) -> Result<usize, Cancelled> {
  debug_assert_eq!(input.len() % record_size, 0);
  debug_assert_eq!(output.len(), input.len() / record_size * DIGEST_LEN);
  let per_step = (STEP_BYTES / record_size).max(1);
  let steps = input
    .chunks(per_step * record_size)
    .zip(output.chunks_mut(per_step * DIGEST_LEN));
  let mut hashed = 0;
  for (records, digests) in steps {
    if hashed > 0 && deadline.has_passed() {
      break;
    }
    cancel.check()?;
    if record_size == 64 {
      short::digest_64_each(records, digests);
    } else {
      for (record, digest) in records
        .chunks_exact(record_size)
        .zip(digests.chunks_exact_mut(DIGEST_LEN))
      {
        digest.copy_from_slice(&digest_of(record));
      }
    }
    let count = records.len() / record_size;
    progress(count as u64);
    hashed += count;
  }
  Ok(hashed)
}

/// The fastest way to each size: one 64-byte block in place, short messages padded on the
/// stack, anything longer through the streaming hasher.
pub fn digest_of(message: &[u8]) -> Digest {
  if let Ok(block) = message.try_into() {
    short::digest_64(block)
  } else if message.len() <= short::MAX_LEN {
    short::digest(message)
  } else {
    Sha256::digest(message).into()
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::cell::Cell;

  #[test]
  fn each_record_gets_its_own_digest() {
    for record_size in [1, 32, 55, 56, 64, 119, 120, 1000, 300_000] {
      let records = 5;
      let input: Vec<u8> = (0..record_size * records)
        .map(|i| (i % 251) as u8)
        .collect();
      let mut output = vec![0u8; records * DIGEST_LEN];
      let reported = Cell::new(0);
      let progress = |done: u64| reported.set(reported.get() + done);
      let hashed = hash_records(
        &input,
        record_size,
        &mut output,
        Deadline::NEVER,
        &CancelToken::default(),
        &progress,
      )
      .unwrap();
      assert_eq!(hashed, records);
      for (record, digest) in input.chunks(record_size).zip(output.chunks(DIGEST_LEN)) {
        assert_eq!(
          digest,
          &Sha256::digest(record)[..],
          "record size {record_size}"
        );
      }
      assert_eq!(reported.get(), records as u64);
    }
  }

  #[test]
  fn a_passed_deadline_stops_after_one_step() {
    let input = vec![7u8; STEP_BYTES * 2];
    let mut output = vec![0u8; input.len() / 64 * DIGEST_LEN];
    let past = Deadline::after(std::time::Duration::ZERO);
    let hashed = hash_records(
      &input,
      64,
      &mut output,
      past,
      &CancelToken::default(),
      &|_| (),
    );
    assert_eq!(hashed, Ok(STEP_BYTES / 64));
    let expected = Sha256::digest([7u8; 64]);
    assert_eq!(&output[..DIGEST_LEN], &expected[..]);
    assert_eq!(
      output[STEP_BYTES / 64 * DIGEST_LEN..],
      vec![0u8; STEP_BYTES / 64 * DIGEST_LEN]
    );
  }

  #[test]
  fn a_cancelled_batch_stops() {
    let token = CancelToken::default();
    token.cancel();
    let mut output = [0u8; DIGEST_LEN];
    assert_eq!(
      hash_records(&[0; 64], 64, &mut output, Deadline::NEVER, &token, &|_| ()),
      Err(Cancelled)
    );
    assert_eq!(output, [0; DIGEST_LEN], "nothing was written");
  }
}
