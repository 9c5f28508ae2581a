//! The SHA-256 functions: one message, many messages, fixed-size records, hash chains, Merkle
//! roots and files, each async with a `…Sync` twin.

use std::alloc::{self, Layout};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Mutex;

use napi::bindgen_prelude::{ToNapiValue, Unknown};
use napi::{Env, JsValue};
use napi_derive::napi;
use qrhash_macros::export_with_sync_twin;

use super::partition::{split, split_by_size};
use super::{buffer_copy, buffer_of, Call, Job, Slice};
use crate::cancel::CancelToken;
use crate::error::{throw, Failure, Refusal};
use crate::fs::{self, FileError};
use crate::hash::chain::Chain;
use crate::hash::encoding::Encoded;
use crate::hash::file::FileHash;
use crate::hash::oneshot::Partial;
use crate::hash::{merkle, records, Digest, Encoding, DIGEST_LEN};
use crate::input::{
  self, whole_number, Bytes, Options, PendingBytes, PendingWritable, Pinning, Writable, Writes,
};
use crate::slice::{Deadline, Step};

/// Input bytes below which a job is not worth spreading over several pool threads.
const MIN_BYTES_PER_PART: usize = 256 << 10;
/// Record sizes allowed, 1 byte to 2 GiB.
const MAX_RECORD_SIZE: u64 = 1 << 31;

fn encoding(options: &Options) -> Result<Encoding, Failure> {
  Ok(
    options
      .parsed("encoding", Encoding::NAMES, Encoding::from_name)?
      .unwrap_or(Encoding::Buffer),
  )
}

/// `len` zero bytes, or a failure instead of Rust's abort when memory runs out. Allocated
/// zeroed (calloc), so large outputs get fresh zero pages from the system instead of being
/// filled byte by byte on the JavaScript thread: a 512 MiB output took a second that way.
fn zeroed(len: usize) -> Result<Vec<u8>, Failure> {
  if len == 0 {
    return Ok(Vec::new());
  }
  let layout = Layout::array::<u8>(len).map_err(|_| Failure::out_of_memory(len))?;
  // SAFETY: `layout` has a non-zero size; a non-null result is `len` initialised (zero) bytes
  // from the global allocator with `u8`'s alignment, which is what `Vec<u8>` frees.
  let start = unsafe { alloc::alloc_zeroed(layout) };
  if start.is_null() {
    return Err(Failure::out_of_memory(len));
  }
  // SAFETY: `start` is that allocation, non-null: `len` initialised bytes of capacity `len`.
  Ok(unsafe { Vec::from_raw_parts(start, len, len) })
}

/// A digest as `encoding` asks: a Buffer or a string.
pub fn digest_to_js<'env>(
  env: &'env Env,
  encoding: Encoding,
  digest: &Digest,
) -> napi::Result<Unknown<'env>> {
  match encoding.encode(digest) {
    Encoded::Bytes(bytes) => buffer_copy(env, &bytes),
    // Hex and base64 are ASCII: Latin-1 skips UTF-8 decoding.
    Encoded::Text(text) => Ok(env.create_string_latin1(text.as_bytes())?.to_unknown()),
  }
}

/// An input of fixed-size records, for `sha256Batch` and `sha256MerkleRoot`: `Input` is
/// [`PendingBytes`] while the arguments are read, [`Bytes`] in the job.
struct Records<Input = Bytes> {
  input: Input,
  size: usize,
  count: usize,
}

impl<'env> Records<PendingBytes<'env>> {
  /// Reads `input` and `options.recordSize` (1 to 2³¹, default 64), refusing a partial last
  /// record.
  fn read(env: &'env Env, input: Unknown<'env>, options: &Options) -> Result<Self, Failure> {
    let input = input::bytes(env, input, "input")?;
    let size = match options.get("recordSize")? {
      Some(size) => whole_number(&size, "options.recordSize", 1..=MAX_RECORD_SIZE)? as usize,
      None => 64,
    };
    if !input.len().is_multiple_of(size) {
      return Err(Failure::bad_value(
        "input",
        &format!("a whole number of {size}-byte records (options.recordSize)"),
        &format!("{} bytes, {} too many", input.len(), input.len() % size),
      ));
    }
    Ok(Self {
      count: input.len() / size,
      input,
      size,
    })
  }

  fn pin(self, pinning: &Pinning) -> Result<Records, Failure> {
    Ok(Records {
      input: self.input.pin(pinning)?,
      size: self.size,
      count: self.count,
    })
  }
}

impl<Input> Records<Input> {
  /// One contiguous range of records per pool thread, none too small to be worth it.
  fn parts(&self) -> Vec<Range<usize>> {
    split(self.count, (MIN_BYTES_PER_PART / self.size).max(1))
  }
}

// ---------------------------------------------------------------------------------------------
// sha256

pub struct Sha256Job {
  input: Bytes,
  encoding: Encoding,
}

impl Job for Sha256Job {
  type Part = Digest;
  type Paused = Partial;

  fn run(
    &self,
    _part: usize,
    from: Option<Partial>,
    slice: &Slice,
  ) -> Result<Step<Partial, Digest>, Failure> {
    let partial = from.unwrap_or_default();
    Ok(partial.advance(&self.input, slice.deadline, slice.cancel)?)
  }

  fn to_js<'env>(&self, env: &'env Env, parts: Vec<Digest>) -> napi::Result<Unknown<'env>> {
    digest_to_js(env, self.encoding, &parts[0])
  }
}

fn read_sha256(env: &Env, input: Unknown, options: Option<Unknown>) -> Call<Sha256Job> {
  Call::read(env, options, &["encoding", "signal"], |options| {
    let input = input::bytes(env, input, "input")?;
    let encoding = encoding(options)?;
    Ok(move |pinning: &Pinning| {
      Ok(Sha256Job {
        input: input.pin(pinning)?,
        encoding,
      })
    })
  })
}

// ---------------------------------------------------------------------------------------------
// sha256Many

pub struct Sha256ManyJob {
  inputs: Vec<Bytes>,
  encoding: Encoding,
  parts: Vec<Range<usize>>,
}

/// A part of `sha256Many` between slices: the digests so far, and the next input's hash.
pub struct ManyPaused {
  digests: Vec<Digest>,
  next: Partial,
}

impl Job for Sha256ManyJob {
  type Part = Vec<Digest>;
  type Paused = ManyPaused;

  fn parts(&self) -> usize {
    self.parts.len()
  }

  fn run(
    &self,
    part: usize,
    from: Option<ManyPaused>,
    slice: &Slice,
  ) -> Result<Step<ManyPaused, Vec<Digest>>, Failure> {
    let inputs = &self.inputs[self.parts[part].clone()];
    let mut at = from.unwrap_or_else(|| ManyPaused {
      digests: Vec::with_capacity(inputs.len()),
      next: Partial::default(),
    });
    // The clock is read every few inputs: reading it costs more than hashing a short one.
    let mut since_look = 0;
    while let Some(input) = inputs.get(at.digests.len()) {
      match std::mem::take(&mut at.next).advance(input, slice.deadline, slice.cancel)? {
        Step::Paused(partial) => {
          at.next = partial;
          return Ok(Step::Paused(at));
        }
        Step::Done(digest) => at.digests.push(digest),
      }
      since_look += input.len() + 4096;
      if since_look >= MIN_BYTES_PER_PART && at.digests.len() < inputs.len() {
        since_look = 0;
        if slice.deadline.has_passed() {
          return Ok(Step::Paused(at));
        }
      }
    }
    Ok(Step::Done(at.digests))
  }

  fn to_js<'env>(&self, env: &'env Env, parts: Vec<Vec<Digest>>) -> napi::Result<Unknown<'env>> {
    let mut array = env.create_array(self.inputs.len() as u32)?;
    for (index, digest) in parts.iter().flatten().enumerate() {
      array.set(index as u32, digest_to_js(env, self.encoding, digest)?)?;
    }
    array.into_unknown(env)
  }
}

fn read_sha256_many(env: &Env, inputs: Unknown, options: Option<Unknown>) -> Call<Sha256ManyJob> {
  Call::read(env, options, &["encoding", "signal"], |options| {
    let mut seen = input::Seen::default();
    let inputs = input::array(inputs, "inputs", |element, name| {
      input::bytes_among(env, element, name, &mut seen)
    })?;
    let sizes: Vec<usize> = inputs.iter().map(PendingBytes::len).collect();
    let parts = split_by_size(&sizes, MIN_BYTES_PER_PART);
    let encoding = encoding(options)?;
    Ok(move |pinning: &Pinning| {
      Ok(Sha256ManyJob {
        encoding,
        parts,
        inputs: inputs
          .into_iter()
          .map(|input| input.pin(pinning))
          .collect::<Result<_, _>>()?,
      })
    })
  })
}

// ---------------------------------------------------------------------------------------------
// sha256Batch

/// Where a batch's digests go, written by several parts at once, each in its own range.
///
/// `start` points to `len` bytes owned by `owner`, which lives as long as the sink: a `Vec`
/// whose heap memory never moves, or the caller's `options.output`, whose memory is pinned
/// (checked attached and long enough) once its arguments have been read and is kept alive by
/// the napi reference of its view until the call settles. Pool threads write through `start`
/// only while the job runs; the owner is read (handed to JavaScript) only after every part has
/// finished. Transferring or resizing `options.output` while the promise is pending is the
/// caller's documented "don't": its buffer must stay as it was handed over.
struct DigestSink {
  start: *mut u8,
  len: usize,
  owner: SinkOwner,
}

enum SinkOwner {
  /// A new buffer, handed over as a Buffer at the end.
  Fresh(Mutex<Option<Vec<u8>>>),
  /// The caller's `options.output`, handed back as it was given.
  Caller(Mutex<Writable>),
}

// SAFETY: parts only write through `range`, whose ranges never overlap (`split` makes them
// disjoint), and the owner outlives every part (see the type's comment).
unsafe impl Send for DigestSink {}
// SAFETY: as for `Send`; shared access only ever writes disjoint ranges.
unsafe impl Sync for DigestSink {}

impl DigestSink {
  fn fresh(len: usize) -> Result<Self, Failure> {
    let mut bytes = zeroed(len)?;
    Ok(Self {
      start: bytes.as_mut_ptr(),
      len,
      owner: SinkOwner::Fresh(Mutex::new(Some(bytes))),
    })
  }

  /// Refuses an `options.output` of `given` bytes that cannot hold `len`.
  fn check_room(given: usize, len: usize) -> Result<(), Failure> {
    if given < len {
      return Err(Failure::out_of_range(
        "options.output",
        &format!("at least {len} bytes ({DIGEST_LEN} per record)"),
        &format!("{given} bytes"),
      ));
    }
    Ok(())
  }

  /// Refuses an `options.output` that shares memory with `input`: parts would overwrite
  /// records that others have yet to read, so the digests would change from run to run.
  fn check_apart(input: &Bytes, output: &Writable) -> Result<(), Failure> {
    if input::overlap(input, output) {
      return Err(Failure::bad_value(
        "options.output",
        "memory apart from input's",
        "a view whose bytes overlap input's",
      ));
    }
    Ok(())
  }

  fn caller(mut output: Writable, input: &Bytes, len: usize) -> Result<Self, Failure> {
    Self::check_room(output.view.len(), len)?;
    Self::check_apart(input, &output)?;
    Ok(Self {
      // SAFETY: the one mutable view of this memory made in the call; `range` hands out its
      // parts, disjoint.
      start: unsafe { output.view.as_mut() }.as_mut_ptr(),
      len,
      owner: SinkOwner::Caller(Mutex::new(output)),
    })
  }

  /// # Safety
  /// No two live slices may overlap.
  #[allow(clippy::mut_from_ref)]
  unsafe fn range(&self, range: Range<usize>) -> &mut [u8] {
    assert!(range.end <= self.len);
    // SAFETY: within the `len` bytes the owner keeps alive (checked above), and the caller
    // promises no other live slice overlaps it.
    unsafe { std::slice::from_raw_parts_mut(self.start.add(range.start), range.len()) }
  }

  fn to_js<'env>(&self, env: &'env Env) -> napi::Result<Unknown<'env>> {
    match &self.owner {
      SinkOwner::Fresh(bytes) => {
        let bytes = bytes
          .lock()
          .expect("sink lock")
          .take()
          .expect("a batch settles once");
        buffer_of(env, bytes)
      }
      SinkOwner::Caller(output) => {
        let mut output = output.lock().expect("sink lock");
        output.publish(env);
        output.original.value(env)
      }
    }
  }
}

pub struct Sha256BatchJob {
  records: Records,
  sink: DigestSink,
  parts: Vec<Range<usize>>,
}

impl Job for Sha256BatchJob {
  type Part = ();
  /// The next record of the part.
  type Paused = usize;

  fn parts(&self) -> usize {
    self.parts.len()
  }

  fn progress_total(&self) -> Option<u64> {
    Some(self.records.count as u64)
  }

  fn run(
    &self,
    part: usize,
    from: Option<usize>,
    slice: &Slice,
  ) -> Result<Step<usize, ()>, Failure> {
    let range = self.parts[part].clone();
    let start = from.unwrap_or(range.start);
    let size = self.records.size;
    let input = &self.records.input[start * size..range.end * size];
    // SAFETY: the parts' record ranges are disjoint, so their digest ranges are too; and one
    // part's slices run one after the other, each from where the last stopped.
    let output = unsafe { self.sink.range(start * DIGEST_LEN..range.end * DIGEST_LEN) };
    let progress = |done| slice.progress.add(done);
    let hashed =
      records::hash_records(input, size, output, slice.deadline, slice.cancel, &progress)?;
    let next = start + hashed;
    Ok(if next < range.end {
      Step::Paused(next)
    } else {
      Step::Done(())
    })
  }

  fn to_js<'env>(&self, env: &'env Env, _parts: Vec<()>) -> napi::Result<Unknown<'env>> {
    self.sink.to_js(env)
  }
}

fn read_sha256_batch(env: &Env, input: Unknown, options: Option<Unknown>) -> Call<Sha256BatchJob> {
  let known = ["recordSize", "output", "signal", "onProgress"];
  Call::read(env, options, &known, |options| {
    let records = Records::read(env, input, options)?;
    let len = records.count * DIGEST_LEN;
    let output: Option<PendingWritable> = match options.get("output")? {
      Some(output) => Some(input::writable(
        env,
        output,
        "options.output",
        Writes::Later,
      )?),
      None => None,
    };
    if let Some(output) = &output {
      DigestSink::check_room(output.len(), len)?;
    }
    Ok(move |pinning: &Pinning| {
      let parts = records.parts();
      let records = records.pin(pinning)?;
      let sink = match output {
        Some(output) => DigestSink::caller(output.pin(pinning)?, &records.input, len)?,
        None => DigestSink::fresh(len)?,
      };
      Ok(Sha256BatchJob {
        parts,
        records,
        sink,
      })
    })
  })
}

// ---------------------------------------------------------------------------------------------
// sha256MerkleRoot

pub struct Sha256MerkleJob {
  records: Records,
  /// Each part reduces a subtree of 2^levels leaves to one digest,
  levels: u32,
  /// in chunks of 2^chunk_levels leaves, each a fraction of a millisecond of work.
  chunk_levels: u32,
  encoding: Encoding,
}

/// A part of `sha256MerkleRoot` between slices: the first leaf of its next chunk, and the
/// roots of the chunks before.
pub struct MerklePaused {
  next: usize,
  roots: Vec<u8>,
}

impl Job for Sha256MerkleJob {
  type Part = Vec<u8>;
  type Paused = MerklePaused;

  fn parts(&self) -> usize {
    self.records.count.div_ceil(1 << self.levels)
  }

  fn progress_total(&self) -> Option<u64> {
    Some(self.records.count as u64)
  }

  fn run(
    &self,
    part: usize,
    from: Option<MerklePaused>,
    slice: &Slice,
  ) -> Result<Step<MerklePaused, Vec<u8>>, Failure> {
    let (input, size, cancel) = (&self.records.input, self.records.size, slice.cancel);
    let end = ((part + 1) << self.levels).min(self.records.count);
    let mut at = from.unwrap_or(MerklePaused {
      next: part << self.levels,
      roots: Vec::new(),
    });
    let progress = |done| slice.progress.add(done);
    while at.next < end {
      let stop = (at.next + (1 << self.chunk_levels)).min(end);
      let mut leaves = zeroed((stop - at.next) * DIGEST_LEN)?;
      let chunk = &input[at.next * size..stop * size];
      records::hash_records(chunk, size, &mut leaves, Deadline::NEVER, cancel, &progress)?;
      at.roots
        .extend(merkle::reduce(leaves, self.chunk_levels, cancel)?);
      at.next = stop;
      if at.next < end && slice.deadline.has_passed() {
        return Ok(Step::Paused(at));
      }
    }
    let levels_left = self.levels - self.chunk_levels;
    Ok(Step::Done(merkle::reduce(at.roots, levels_left, cancel)?))
  }

  fn to_js<'env>(&self, env: &'env Env, parts: Vec<Vec<u8>>) -> napi::Result<Unknown<'env>> {
    let root =
      merkle::root(parts.concat(), &CancelToken::default()).expect("an idle token never cancels");
    digest_to_js(env, self.encoding, &root)
  }
}

fn read_sha256_merkle_root(
  env: &Env,
  input: Unknown,
  options: Option<Unknown>,
) -> Call<Sha256MerkleJob> {
  let known = ["recordSize", "encoding", "signal", "onProgress"];
  Call::read(env, options, &known, |options| {
    let records = Records::read(env, input, options)?;
    if records.count == 0 {
      return Err(Failure::bad_value(
        "input",
        "at least one record",
        "0 bytes",
      ));
    }
    // Subtrees as large as one pool thread's share, rounded up to a power of two.
    let per_part = records.parts()[0].len();
    let encoding = encoding(options)?;
    let levels = per_part.next_power_of_two().trailing_zeros();
    // Chunks of about MIN_BYTES_PER_PART of records and at most 4096 leaves.
    let chunk_leaves = (MIN_BYTES_PER_PART / records.size).clamp(1, 4096);
    let chunk_levels = chunk_leaves.ilog2().min(levels);
    Ok(move |pinning: &Pinning| {
      Ok(Sha256MerkleJob {
        levels,
        chunk_levels,
        encoding,
        records: records.pin(pinning)?,
      })
    })
  })
}

// ---------------------------------------------------------------------------------------------
// sha256Iterate

pub struct Sha256IterateJob {
  input: Bytes,
  rounds: u32,
  encoding: Encoding,
}

impl Job for Sha256IterateJob {
  type Part = Digest;
  type Paused = Chain;

  fn run(
    &self,
    _part: usize,
    from: Option<Chain>,
    slice: &Slice,
  ) -> Result<Step<Chain, Digest>, Failure> {
    let chain = from.unwrap_or_else(|| Chain::new(self.rounds));
    Ok(chain.advance(&self.input, slice.deadline, slice.cancel)?)
  }

  fn to_js<'env>(&self, env: &'env Env, parts: Vec<Digest>) -> napi::Result<Unknown<'env>> {
    digest_to_js(env, self.encoding, &parts[0])
  }
}

fn read_sha256_iterate(
  env: &Env,
  input: Unknown,
  rounds: Unknown,
  options: Option<Unknown>,
) -> Call<Sha256IterateJob> {
  Call::read(env, options, &["encoding", "signal"], |options| {
    let input = input::bytes(env, input, "input")?;
    let rounds = whole_number(&rounds, "rounds", 0..=u64::from(u32::MAX))? as u32;
    let encoding = encoding(options)?;
    Ok(move |pinning: &Pinning| {
      Ok(Sha256IterateJob {
        input: input.pin(pinning)?,
        rounds,
        encoding,
      })
    })
  })
}

// ---------------------------------------------------------------------------------------------
// sha256File

pub struct Sha256FileJob {
  path: PathBuf,
  encoding: Encoding,
}

impl Job for Sha256FileJob {
  type Part = Digest;
  type Paused = FileHash;

  fn run(
    &self,
    _part: usize,
    from: Option<FileHash>,
    slice: &Slice,
  ) -> Result<Step<FileHash, Digest>, Failure> {
    let progress = slice.progress;
    let opened = match from {
      Some(hashing) => Ok(hashing),
      None => fs::open_to_read(&self.path).map(|file| {
        match file.size() {
          Some(size) => progress.set_total(size),
          None => progress.set_total_unknown(),
        }
        FileHash::new(file)
      }),
    };
    let hashed = opened.and_then(|hashing| {
      hashing.advance(slice.deadline, slice.cancel, &|bytes| progress.add(bytes))
    });
    hashed.map_err(|error| match error {
      FileError::Io { error, syscall } => Failure::io(&error, syscall, &self.path),
      FileError::Cancelled => crate::cancel::Cancelled.into(),
    })
  }

  fn to_js<'env>(&self, env: &'env Env, parts: Vec<Digest>) -> napi::Result<Unknown<'env>> {
    digest_to_js(env, self.encoding, &parts[0])
  }
}

fn read_sha256_file(env: &Env, path: Unknown, options: Option<Unknown>) -> Call<Sha256FileJob> {
  Call::read(
    env,
    options,
    &["encoding", "signal", "onProgress"],
    |options| {
      Ok(input::ready(Sha256FileJob {
        path: input::path(env, path, "path")?,
        encoding: encoding(options)?,
      }))
    },
  )
}

// ---------------------------------------------------------------------------------------------
// Exports

export_with_sync_twin! {
  /// SHA-256 of `input`, computed on libuv's thread pool.
  ///
  /// Binary input is read in place, never copied; a string is hashed as UTF-8. Changing the
  /// input's bytes while the promise is pending gives an unspecified digest, never a crash.
  /// Resolves to a Buffer, or a string when `options.encoding` is `'hex'`, `'base64'` or
  /// `'base64url'`. Bad arguments reject with a `TypeError` or `RangeError`; an aborted
  /// `options.signal` rejects with an `AbortError`.
  ///
  /// @example
  /// const digest = await sha256(await readFile('upload.bin'), { encoding: 'hex' })
  fn sha256, sha256_sync(input) => read_sha256();
  ts<"E extends Sha256Encoding = 'buffer'">("input: BinaryLike | string, options?: Sha256Options<E> | E") -> "Promise<Digest<E>>", "Digest<E>";
}

/// Writes the SHA-256 of `input` into the first 32 bytes of `output` and returns `output`, on
/// the calling thread, allocating nothing: the fastest form for small messages in a hot loop
/// (a Buffer or Uint8Array is read and written with no napi reference at all). `output` may
/// overlap `input`, even be it: the digest is of `input` as it was before the call.
///
/// @example
/// const digest = sha256Into(record, Buffer.allocUnsafe(32))
#[napi(
  catch_unwind,
  ts_generic_types = "O extends BinaryLike",
  ts_args_type = "input: BinaryLike | string, output: O",
  ts_return_type = "O"
)]
pub fn sha256_into<'env>(
  env: &'env Env,
  input: Unknown<'env>,
  output: Unknown<'env>,
) -> napi::Result<Unknown<'env>> {
  let written = input::lend_bytes(env, input, "input").and_then(|data| {
    let out = input::lend_output(env, output, "output")?;
    // SAFETY: both arguments have been read, and from here to the return only the digest is
    // computed and written: no JavaScript runs.
    let pinning = unsafe { Pinning::new(env) };
    let digest = data.with(&pinning, |data| Ok(records::digest_of(data)))?;
    out.with_mut(&pinning, |out| match out.get_mut(..DIGEST_LEN) {
      Some(slot) => {
        slot.copy_from_slice(&digest);
        Ok(())
      }
      None => Err(Failure::out_of_range(
        "output",
        &format!("at least {DIGEST_LEN} bytes"),
        &format!("{} bytes", out.len()),
      )),
    })
  });
  match written {
    Ok(()) => Ok(output),
    Err(failure) => Err(throw(env, Refusal::new(env, failure).to_value(env))),
  }
}

export_with_sync_twin! {
  /// The SHA-256 of each of `inputs`, independent messages of any sizes, in order, computed in
  /// parallel across libuv's pool.
  fn sha256_many, sha256_many_sync(inputs) => read_sha256_many();
  ts<"E extends Sha256Encoding = 'buffer'">("inputs: ReadonlyArray<BinaryLike | string>, options?: Sha256Options<E> | E") -> "Promise<Array<Digest<E>>>", "Array<Digest<E>>";
}

export_with_sync_twin! {
  /// The SHA-256 of each consecutive `options.recordSize`-byte record of `input` (default 64),
  /// written in order, 32 bytes each, into `options.output` (which must hold 32 × records bytes)
  /// or into a new Buffer, which the promise resolves to. `options.output` must not share any
  /// byte of memory with `input` (a `RangeError` with code `ERR_INVALID_ARG_VALUE`); views side
  /// by side in one buffer are fine.
  ///
  /// The records are split into contiguous ranges, one per libuv pool thread, each hashed in
  /// place and written into its own slice of the output: no copies, no serialisation, and a
  /// SharedArrayBuffer that worker threads fill works as input and output alike.
  fn sha256_batch, sha256_batch_sync(input) => read_sha256_batch();
  ts<"O extends BinaryLike = Buffer">("input: BinaryLike | string, options?: Sha256BatchOptions<O>") -> "Promise<O>", "O";
}

export_with_sync_twin! {
  /// The Merkle root of `input`'s `options.recordSize`-byte records (default 64): each record is
  /// hashed, then each pair of digests, level by level, to one digest. A level with an odd number
  /// of digests pairs its last digest with itself (as Bitcoin does); one record's root is its
  /// digest. Subtrees are hashed in parallel across libuv's pool.
  fn sha256_merkle_root, sha256_merkle_root_sync(input) => read_sha256_merkle_root();
  ts<"E extends Sha256Encoding = 'buffer'">("input: BinaryLike | string, options?: Sha256MerkleOptions<E> | E") -> "Promise<Digest<E>>", "Digest<E>";
}

export_with_sync_twin! {
  /// A hash chain in one task: d₀ = SHA-256(input), then dᵢ = SHA-256(dᵢ₋₁) `rounds` times
  /// (0 to 2³² − 1); resolves to d_rounds.
  fn sha256_iterate, sha256_iterate_sync(input, rounds) => read_sha256_iterate();
  ts<"E extends Sha256Encoding = 'buffer'">("input: BinaryLike | string, rounds: number, options?: Sha256Options<E> | E") -> "Promise<Digest<E>>", "Digest<E>";
}

export_with_sync_twin! {
  /// SHA-256 of the file at `path` (a string, a Buffer, or a `file:` URL, which index.js turns
  /// into a path as `fs` does), read on libuv's pool through one 1 MiB buffer, so memory stays
  /// flat for files of any size. `onProgress(bytesDone, fileSize)`; a missing or unreadable file
  /// rejects with an `Error` shaped as `fs`'s: `code` (`ENOENT`, `EACCES`, `EISDIR`, `ELOOP`,
  /// …), `errno`, `syscall`, `path` and `fs`'s message.
  ///
  /// A FIFO is hashed as `sha256sum` does, from when a writer opens it until the writer closes
  /// it; a device is read until it ends. Their size is unknown: `onProgress` says `NaN` for the
  /// total until the final `(done, done)`. While the call waits for a writer or for data, an
  /// abort, `cancelAll()` or `process.exit()` stops it within milliseconds. `sha256FileSync` of
  /// a file that never ends (`/dev/zero`) or a FIFO whose writer never closes never returns.
  fn sha256_file, sha256_file_sync(path) => read_sha256_file();
  ts<"E extends Sha256Encoding = 'buffer'">("path: string | Buffer | URL, options?: Sha256FileOptions<E> | E") -> "Promise<Digest<E>>", "Digest<E>";
}
