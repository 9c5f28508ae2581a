//! How a job is cut into parts for libuv's pool: contiguous ranges, at most one per pool
//! thread, none too small to be worth a round trip through the pool.

use std::ops::Range;

/// Threads in libuv's pool, as libuv reads `UV_THREADPOOL_SIZE` (1‥=1024, default 4).
pub fn pool_threads() -> usize {
  std::env::var("UV_THREADPOOL_SIZE")
    .ok()
    .and_then(|size| size.trim().parse::<usize>().ok())
    .filter(|&size| size > 0)
    .map_or(4, |size| size.min(1024))
}

/// `0‥total` cut into contiguous ranges differing by at most one item, one per pool thread
/// qrhash may use ([`super::pool::share`]), but none (except a lone one) smaller than
/// `min_per_part`: small jobs are not worth spreading.
pub fn split(total: usize, min_per_part: usize) -> Vec<Range<usize>> {
  let parts = (total / min_per_part.max(1)).clamp(1, super::pool::share());
  (0..parts)
    .map(|part| total * part / parts..total * (part + 1) / parts)
    .collect()
}

/// The items whose sizes are `sizes`, cut as [`split`] cuts their total size: contiguous
/// ranges of about equal bytes, none below `min_bytes` (except a lone one), none empty.
pub fn split_by_size(sizes: &[usize], min_bytes: usize) -> Vec<Range<usize>> {
  let total: usize = sizes.iter().sum();
  let shares = split(total, min_bytes);
  let mut ranges = Vec::with_capacity(shares.len());
  let (mut start, mut seen) = (0, 0);
  for share in &shares {
    let mut end = start;
    while end < sizes.len() && (seen < share.end || share.end == total) {
      seen += sizes[end];
      end += 1;
    }
    if end > start {
      ranges.push(start..end);
    }
    start = end;
  }
  if ranges.is_empty() {
    ranges.push(0..sizes.len());
  }
  ranges
}

#[cfg(test)]
mod tests {
  use super::*;

  fn assert_covers(ranges: &[Range<usize>], count: usize, label: &str) {
    assert!(
      !ranges.is_empty() && ranges.len() <= pool_threads(),
      "{label}"
    );
    assert_eq!(ranges.first().unwrap().start, 0, "{label}");
    assert_eq!(ranges.last().unwrap().end, count, "{label}");
    assert!(
      ranges.windows(2).all(|pair| pair[0].end == pair[1].start),
      "{label}: {ranges:?}"
    );
  }

  #[test]
  fn split_covers_everything_once_in_order() {
    for (total, min) in [
      (0, 1),
      (1, 1),
      (10, 1),
      (1000, 7),
      (1 << 20, 4096),
      (5, 100),
    ] {
      let ranges = split(total, min);
      assert_covers(&ranges, total, &format!("{total} by {min}"));
      if ranges.len() > 1 {
        assert!(
          ranges.iter().all(|range| range.len() >= min),
          "{total} by {min}: {ranges:?}"
        );
      }
    }
  }

  #[test]
  fn split_by_size_covers_every_item_once_with_no_empty_range() {
    let cases: [&[usize]; 5] = [
      &[],
      &[0, 0, 0],
      &[1 << 20; 8],
      &[1, 1 << 22, 1, 1, 1 << 21],
      &[300 << 10, 0, 300 << 10, 300 << 10, 300 << 10, 5],
    ];
    for sizes in cases {
      let ranges = split_by_size(sizes, 256 << 10);
      assert_covers(&ranges, sizes.len(), &format!("{sizes:?}"));
      if !sizes.is_empty() {
        assert!(
          ranges.iter().all(|range| !range.is_empty()),
          "{sizes:?}: {ranges:?}"
        );
      }
    }
  }
}
