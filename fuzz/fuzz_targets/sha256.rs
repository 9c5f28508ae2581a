//! Every SHA-256 path (one-shot, the short-message fast paths behind records, chains, Merkle
//! levels) against the sha2 crate's streaming hasher, for any bytes and record size.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qrhash_core::cancel::CancelToken;
use qrhash_core::hash::records::{digest_of, hash_records};
use qrhash_core::hash::{chain, merkle, sha256, Digest};
use qrhash_core::slice::Deadline;
use sha2::{Digest as _, Sha256};

fn reference(message: &[u8]) -> Digest {
  Sha256::digest(message).into()
}

fuzz_target!(|input: (u8, u8, &[u8])| {
  let (record_size, rounds, data) = input;
  let cancel = CancelToken::default();
  assert_eq!(sha256(data, &cancel).unwrap(), reference(data));
  assert_eq!(digest_of(data), reference(data));

  let mut expected = reference(data);
  for _ in 0..rounds {
    expected = reference(&expected);
  }
  assert_eq!(
    chain::iterate(data, u32::from(rounds), &cancel).unwrap(),
    expected
  );

  let record_size = usize::from(record_size.max(1));
  let whole = &data[..data.len() / record_size * record_size];
  let mut digests = vec![0u8; whole.len() / record_size * 32];
  hash_records(
    whole,
    record_size,
    &mut digests,
    Deadline::NEVER,
    &cancel,
    &|_| {},
  )
  .unwrap();
  for (record, digest) in whole
    .chunks_exact(record_size)
    .zip(digests.chunks_exact(32))
  {
    assert_eq!(digest, reference(record));
  }

  if !digests.is_empty() {
    let mut level: Vec<Digest> = digests
      .chunks_exact(32)
      .map(|d| d.try_into().unwrap())
      .collect();
    while level.len() > 1 {
      if level.len() % 2 == 1 {
        level.push(*level.last().unwrap());
      }
      level = level
        .chunks_exact(2)
        .map(|pair| reference(&[pair[0], pair[1]].concat()))
        .collect();
    }
    assert_eq!(merkle::root(digests, &cancel).unwrap(), level[0]);
  }
});
