//! The raw N-API calls qrhash makes where napi-rs has no safe method, each behind a safe
//! function with the one invariant it relies on stated beside its `unsafe` block.
//!
//! Every function takes the environment and values as napi-rs hands them to a call
//! (`&Env`, [`Unknown`], [`Object`]): those are valid handles of that environment for as long
//! as their lifetime says, which is what every N-API function asks of its arguments. Results
//! are handed back with the lifetime of the values passed in, or of the `Env` borrow. None of
//! these functions runs JavaScript, except [`call_function`] (and any function N-API documents
//! as running a getter: [`property`]).

use std::ptr;

use napi::bindgen_prelude::{
  Array, FromNapiValue, Function, JsValuesTupleIntoVec, Object, TypedArrayType, Uint8Array, Unknown,
};
use napi::{sys, Env, JsValue, ValueType};

/// `raw`, a handle N-API just returned for `env`, as a value of lifetime `'scope`: that of the
/// `env` borrow or of a value passed in, both bound to the handle scope of the call being
/// served.
fn wrap<'scope>(env: &Env, raw: sys::napi_value) -> Unknown<'scope> {
  // SAFETY: every caller passes a handle that N-API has just returned on `env`, live until the
  // current handle scope (the call napi-rs is serving) closes, and ties `'scope` to a borrow of
  // `env` or to a value of that same scope, neither of which outlives it.
  unsafe { Unknown::from_raw_unchecked(env.raw(), raw) }
}

/// `value` read as a primitive `V`, through the `napi_get_value_*` function that refuses (with
/// a status, which napi-rs turns into an error) a value of any other type.
fn primitive<V: FromNapiValue>(value: &Unknown) -> Option<V> {
  // SAFETY: `value` is a live handle of its environment; each caller picks a `V` whose
  // napi-rs reading checks the value's type itself (numbers, booleans, strings).
  unsafe { value.cast::<V>() }.ok()
}

/// `value` read as `V` when its type is `expected`, for the `V`s napi-rs reads without checking
/// the type (objects, arrays, functions).
fn cast<V: FromNapiValue>(value: &Unknown, expected: ValueType) -> Option<V> {
  if value.get_type().ok()? != expected {
    return None;
  }
  // SAFETY: `value` is a live handle of its environment and of type `expected`, which each
  // caller pairs with the `V` napi-rs reads from that type.
  unsafe { value.cast::<V>() }.ok()
}

/// A number's value.
pub fn number(value: &Unknown) -> Option<f64> {
  primitive(value)
}

/// A boolean's value.
pub fn boolean(value: &Unknown) -> Option<bool> {
  primitive(value)
}

/// A string as UTF-8, as V8 converts it (a lone surrogate becomes U+FFFD).
pub fn string(value: &Unknown) -> Option<String> {
  primitive(value)
}

/// A string's UTF-16 code units.
#[cfg(target_family = "wasm")]
pub fn utf16(value: &Unknown) -> Option<napi::bindgen_prelude::Utf16String> {
  primitive(value)
}

/// An object (arrays, functions and views excluded by nothing: any `typeof 'object'`).
pub fn object<'env>(value: &Unknown<'env>) -> Option<Object<'env>> {
  cast(value, ValueType::Object)
}

/// An array, when `Array.isArray(value)`.
pub fn array<'env>(value: &Unknown<'env>) -> Option<Array<'env>> {
  if !value.is_array().ok()? {
    return None;
  }
  cast(value, ValueType::Object)
}

/// A function, to be called with `Args` returning `Return`.
pub fn function<'env, Args: JsValuesTupleIntoVec, Return>(
  value: &Unknown<'env>,
) -> Option<Function<'env, Args, Return>> {
  cast(value, ValueType::Function)
}

/// What N-API tells of a TypedArray, without its memory.
pub struct TypedArrayInfo<'env> {
  pub kind: TypedArrayType,
  pub buffer: Unknown<'env>,
}

/// `value`'s element type and buffer when it is a TypedArray, without taking a
/// pointer to its memory (which under WASI would make emnapi copy it into wasm memory).
pub fn typed_array<'v>(env: &Env, value: &Unknown<'v>) -> Option<TypedArrayInfo<'v>> {
  let (mut kind, mut buffer) = (0, ptr::null_mut());
  // SAFETY: handles of `env` (see the module); N-API refuses a value that is no TypedArray
  // with a status, which is checked, and writes nothing through the null pointers.
  let status = unsafe {
    sys::napi_get_typedarray_info(
      env.raw(),
      value.raw(),
      &mut kind,
      ptr::null_mut(),
      ptr::null_mut(),
      &mut buffer,
      ptr::null_mut(),
    )
  };
  (status == sys::Status::napi_ok).then(|| TypedArrayInfo {
    kind: TypedArrayType::from(kind),
    buffer: wrap(env, buffer),
  })
}

/// `value`'s element type and length when it is a TypedArray, asking for neither its buffer
/// nor its memory (V8 would make a handle for the buffer: the cost of a 64-byte hash).
pub fn typed_array_kind(env: &Env, value: &Unknown) -> Option<(TypedArrayType, usize)> {
  let (mut kind, mut length) = (0, 0);
  // SAFETY: handles of `env`; a value that is no TypedArray is refused with a status, and the
  // null pointers ask for nothing else.
  let status = unsafe {
    sys::napi_get_typedarray_info(
      env.raw(),
      value.raw(),
      &mut kind,
      &mut length,
      ptr::null_mut(),
      ptr::null_mut(),
      ptr::null_mut(),
    )
  };
  (status == sys::Status::napi_ok).then(|| (TypedArrayType::from(kind), length))
}

/// The memory of `view`, a TypedArray, when its buffer is attached: its start and length in
/// elements, and nothing else; `view`'s element type is the caller's to know (asking for it
/// again would cost a sixth of a 64-byte hash). The pointer is valid while the buffer stays
/// attached; dereferencing it is the caller's business (see `input`'s two phases). A view of
/// non-zero length is attached (V8 gives every view of a detached buffer length 0), so only an
/// empty one costs a second question.
pub fn typed_array_memory(env: &Env, view: &Unknown) -> Option<(*mut u8, usize)> {
  let (mut length, mut data) = (0, ptr::null_mut());
  // SAFETY: handles of `env`; a value that is no TypedArray is refused with a status.
  let status = unsafe {
    sys::napi_get_typedarray_info(
      env.raw(),
      view.raw(),
      ptr::null_mut(),
      &mut length,
      &mut data,
      ptr::null_mut(),
      ptr::null_mut(),
    )
  };
  let usable = status == sys::Status::napi_ok && (length > 0 || is_attached_view(env, view));
  usable.then_some((data.cast(), length))
}

/// Whether the buffer of `view`, a TypedArray, is attached.
pub fn is_attached_view(env: &Env, view: &Unknown) -> bool {
  typed_array(env, view).is_some_and(|info| matches!(is_detached(env, &info.buffer), Ok(false)))
}

/// Whether `buffer`'s memory was transferred or detached. Anything but an ArrayBuffer is
/// never detached.
pub fn is_detached(env: &Env, buffer: &Unknown) -> napi::Result<bool> {
  let mut detached = false;
  // SAFETY: handles of `env`.
  napi::check_status!(unsafe {
    sys::napi_is_detached_arraybuffer(env.raw(), buffer.raw(), &mut detached)
  })?;
  Ok(detached)
}

/// `a === b`.
pub fn strict_equals(env: &Env, a: &Unknown, b: &Unknown) -> napi::Result<bool> {
  let mut same = false;
  // SAFETY: handles of `env`.
  napi::check_status!(unsafe { sys::napi_strict_equals(env.raw(), a.raw(), b.raw(), &mut same) })?;
  Ok(same)
}

/// napi-rs's `Uint8Array` of `value`: a reference that keeps it alive, and its memory (under
/// WASI, emnapi's copy of it in wasm memory).
pub fn uint8_array(env: &Env, value: &Unknown) -> napi::Result<Uint8Array> {
  // SAFETY: a handle of `env`; napi-rs checks that it is a Uint8Array and fails otherwise.
  unsafe { Uint8Array::from_napi_value(env.raw(), value.raw()) }
}

/// A string's UTF-8 when it is shorter than `room` (less one byte for N-API's NUL), read into
/// `room`; `None` when it may have been cut short, or is not a string.
pub fn short_utf8<'room>(env: &Env, value: &Unknown, room: &'room mut [u8]) -> Option<&'room str> {
  let mut length = 0;
  // SAFETY: handles of `env`; N-API writes at most `room.len()` bytes into `room`.
  let status = unsafe {
    sys::napi_get_value_string_utf8(
      env.raw(),
      value.raw(),
      room.as_mut_ptr().cast(),
      room.len(),
      &mut length,
    )
  };
  if status != sys::Status::napi_ok || length + 1 >= room.len() {
    return None;
  }
  std::str::from_utf8(&room[..length]).ok()
}

/// A string's length in UTF-16 code units, known to V8 without converting it.
pub fn utf16_len(env: &Env, value: &Unknown) -> Option<usize> {
  let mut units = 0;
  // SAFETY: handles of `env`; with a null buffer N-API only writes the length.
  let status = unsafe {
    sys::napi_get_value_string_utf16(env.raw(), value.raw(), ptr::null_mut(), 0, &mut units)
  };
  (status == sys::Status::napi_ok).then_some(units)
}

/// `object[key]`, running a getter or Proxy trap if there is one; `None` when it threw.
pub fn property<'v>(env: &Env, object: &Object<'v>, key: &Unknown) -> Option<Unknown<'v>> {
  let mut value = ptr::null_mut();
  // SAFETY: handles of `env`.
  let status = unsafe { sys::napi_get_property(env.raw(), object.raw(), key.raw(), &mut value) };
  (status == sys::Status::napi_ok).then(|| wrap(env, value))
}

/// The keys a `for…in` loop over `object` visits, as an array, and how many there are.
pub fn property_names<'v>(env: &Env, object: &Object<'v>) -> Option<(Unknown<'v>, u32)> {
  let (mut keys, mut count) = (ptr::null_mut(), 0);
  // SAFETY: handles of `env`; `keys` is the array N-API has just made.
  let listed = unsafe {
    sys::napi_get_property_names(env.raw(), object.raw(), &mut keys) == sys::Status::napi_ok
      && sys::napi_get_array_length(env.raw(), keys, &mut count) == sys::Status::napi_ok
  };
  listed.then(|| (wrap(env, keys), count))
}

/// `array[index]`.
pub fn element<'v>(env: &Env, array: &Unknown<'v>, index: u32) -> Option<Unknown<'v>> {
  let mut value = ptr::null_mut();
  // SAFETY: handles of `env`.
  let status = unsafe { sys::napi_get_element(env.raw(), array.raw(), index, &mut value) };
  (status == sys::Status::napi_ok).then(|| wrap(env, value))
}

/// `[value]`, a new array of one element.
pub fn boxed<'env>(env: &'env Env, value: &Unknown) -> napi::Result<Unknown<'env>> {
  let mut array = ptr::null_mut();
  // SAFETY: handles of `env`; `array` is the array N-API has just made.
  unsafe {
    napi::check_status!(sys::napi_create_array_with_length(env.raw(), 1, &mut array))?;
    napi::check_status!(sys::napi_set_element(env.raw(), array, 0, value.raw()))?;
  }
  Ok(wrap(env, array))
}

/// A strong napi reference, deleted when dropped. Made, read and dropped only on the
/// JavaScript thread of its environment.
pub struct Reference {
  env: sys::napi_env,
  raw: sys::napi_ref,
}

// SAFETY: a reference is created, read and deleted on its JavaScript thread; in between it
// only travels with a task (owned by one thread at a time, or shared read-only) and is never
// used elsewhere.
unsafe impl Send for Reference {}
// SAFETY: as for `Send`: no method is called off the JavaScript thread.
unsafe impl Sync for Reference {}

impl Reference {
  /// A reference to `value`; fails for values N-API before version 10 cannot reference
  /// (anything but objects, functions and symbols).
  pub fn new(env: &Env, value: &Unknown) -> napi::Result<Self> {
    let mut raw = ptr::null_mut();
    // SAFETY: handles of `env`.
    napi::check_status!(unsafe {
      sys::napi_create_reference(env.raw(), value.raw(), 1, &mut raw)
    })?;
    Ok(Self {
      env: env.raw(),
      raw,
    })
  }

  pub fn value<'env>(&self, env: &'env Env) -> napi::Result<Unknown<'env>> {
    let mut value = ptr::null_mut();
    // SAFETY: `self.raw` is a live reference of `env` (deleted only on drop).
    napi::check_status!(unsafe { sys::napi_get_reference_value(env.raw(), self.raw, &mut value) })?;
    Ok(wrap(env, value))
  }
}

impl Drop for Reference {
  fn drop(&mut self) {
    // SAFETY: made by `napi_create_reference` on `self.env`, deleted once, here, on its thread.
    unsafe { sys::napi_delete_reference(self.env, self.raw) };
  }
}

/// Which constructor an error is made with.
#[derive(Clone, Copy, Debug)]
pub enum ErrorClass {
  Error,
  TypeError,
  RangeError,
}

/// `new <class>(message)` with `error.code = code`.
pub fn create_error<'env>(
  env: &'env Env,
  class: ErrorClass,
  code: &str,
  message: &str,
) -> napi::Result<Object<'env>> {
  let create = match class {
    ErrorClass::Error => sys::napi_create_error,
    ErrorClass::TypeError => sys::napi_create_type_error,
    ErrorClass::RangeError => sys::napi_create_range_error,
  };
  let code = env.create_string(code)?;
  let message = env.create_string(message)?;
  let mut raw = ptr::null_mut();
  // SAFETY: handles of `env`; both are strings, as N-API requires.
  let status = unsafe { create(env.raw(), code.raw(), message.raw(), &mut raw) };
  napi::check_status!(status, "creating a {:?} failed", class)?;
  Ok(Object::from_raw(env.raw(), raw))
}

/// Takes the exception JavaScript left pending, if there is one, leaving none.
pub fn take_exception(env: &Env) -> Option<Unknown<'_>> {
  let (mut pending, mut exception) = (false, ptr::null_mut());
  // SAFETY: `env` is the environment of the running call.
  let taken = unsafe {
    sys::napi_is_exception_pending(env.raw(), &mut pending) == sys::Status::napi_ok
      && pending
      && sys::napi_get_and_clear_last_exception(env.raw(), &mut exception) == sys::Status::napi_ok
  };
  taken.then(|| wrap(env, exception))
}

/// Throws `value`.
pub fn throw(env: &Env, value: &Unknown) {
  // SAFETY: handles of `env`.
  unsafe { sys::napi_throw(env.raw(), value.raw()) };
}

/// `undefined`.
pub fn undefined(env: &Env) -> Unknown<'_> {
  let mut value = ptr::null_mut();
  // SAFETY: `env` is the environment of the running call.
  unsafe { sys::napi_get_undefined(env.raw(), &mut value) };
  wrap(env, value)
}

/// A napi-rs error as the JavaScript error it describes (`undefined` if even that fails).
pub fn error_value(env: &Env, error: napi::Error) -> Unknown<'_> {
  // SAFETY: `env` is the environment of the running call.
  match unsafe {
    <napi::Error as napi::bindgen_prelude::ToNapiValue>::to_napi_value(env.raw(), error)
  } {
    Ok(value) if !value.is_null() => wrap(env, value),
    _ => undefined(env),
  }
}

/// `callee(...args)` with `this` undefined; `false` when it threw (the exception is left
/// pending) or could not be called.
pub fn call_function(env: &Env, callee: &Unknown, args: &[Unknown]) -> bool {
  let args: Vec<sys::napi_value> = args.iter().map(JsValue::raw).collect();
  call_raw(env, callee, &args).is_some()
}

/// `callee(...args)` with `this` undefined, and what it returned; `None` when it threw (the
/// exception is left pending) or could not be called.
pub fn call<'env, const N: usize>(
  env: &'env Env,
  callee: &Unknown,
  args: [&Unknown; N],
) -> Option<Unknown<'env>> {
  call_raw(env, callee, &args.map(JsValue::raw))
}

fn call_raw<'env>(
  env: &'env Env,
  callee: &Unknown,
  args: &[sys::napi_value],
) -> Option<Unknown<'env>> {
  let this = undefined(env);
  let mut result = ptr::null_mut();
  // SAFETY: handles of `env`; `args` holds `args.len()` of them.
  let status = unsafe {
    sys::napi_call_function(
      env.raw(),
      this.raw(),
      callee.raw(),
      args.len(),
      args.as_ptr(),
      &mut result,
    )
  };
  (status == sys::Status::napi_ok).then(|| wrap(env, result))
}

/// A new Buffer holding a copy of `bytes`, in V8's heap: for small results a copy is cheaper to
/// make and collect than an external buffer with a finalizer.
pub fn buffer_copy<'env>(env: &'env Env, bytes: &[u8]) -> napi::Result<Unknown<'env>> {
  let mut value = ptr::null_mut();
  // SAFETY: `bytes` is readable for its length; no `result_data` is asked for (under WASI
  // asking would make emnapi mirror the copy in wasm memory).
  napi::check_status!(unsafe {
    sys::napi_create_buffer_copy(
      env.raw(),
      bytes.len(),
      bytes.as_ptr().cast(),
      ptr::null_mut(),
      &mut value,
    )
  })?;
  Ok(wrap(env, value))
}

/// The resolving end of a promise made by [`Deferred::new`]; settled once, on the JavaScript
/// thread.
pub struct Deferred(sys::napi_deferred);

// SAFETY: the handle is only ever used on the JavaScript thread that made it (in `finally` or
// in the call itself); it merely travels through pool threads inside a task.
unsafe impl Send for Deferred {}

impl Deferred {
  /// A new promise and its resolving end.
  pub fn new(env: &Env) -> napi::Result<(Self, Unknown<'_>)> {
    let (mut deferred, mut promise) = (ptr::null_mut(), ptr::null_mut());
    // SAFETY: `env` is the environment of the running call.
    napi::check_status!(unsafe {
      sys::napi_create_promise(env.raw(), &mut deferred, &mut promise)
    })?;
    Ok((Self(deferred), wrap(env, promise)))
  }

  pub fn settle(self, env: &Env, outcome: Result<Unknown, Unknown>) {
    // SAFETY: `self.0` came from `napi_create_promise` on this environment and, `self` being
    // consumed, is used once.
    unsafe {
      match outcome {
        Ok(value) => sys::napi_resolve_deferred(env.raw(), self.0, value.raw()),
        Err(error) => sys::napi_reject_deferred(env.raw(), self.0, error.raw()),
      };
    }
  }
}

/// Runs a function on an environment's JavaScript thread when any thread asks: a threadsafe
/// function with no JavaScript function behind it.
pub struct Waker(sys::napi_threadsafe_function);

// SAFETY: `napi_call_threadsafe_function` may be called from any thread; the methods that may
// not (`hold`) take the environment, which only its own thread has.
unsafe impl Send for Waker {}
// SAFETY: as for `Send`; `wake` takes `&self` and is thread-safe.
unsafe impl Sync for Waker {}

/// What a [`Waker`]'s callbacks are given: what to run, and what to run when it is destroyed.
struct WakerHooks {
  on_wake: fn(&Env),
  on_close: fn(usize),
  key: usize,
}

impl Waker {
  /// A waker of `env` that runs `on_wake` there at each [`wake`](Self::wake) (after the calls
  /// queued before it), and `on_close(key)` once the environment destroys it. It does not
  /// keep the event loop alive until [`hold`](Self::hold) says so.
  pub fn new(env: &Env, on_wake: fn(&Env), on_close: fn(usize), key: usize) -> napi::Result<Self> {
    unsafe extern "C" fn call_js(
      env: sys::napi_env,
      _js_callback: sys::napi_value,
      context: *mut std::ffi::c_void,
      _data: *mut std::ffi::c_void,
    ) {
      if env.is_null() {
        return; // the environment is going away; queued wakes are dropped
      }
      // SAFETY: `context` is the `WakerHooks` boxed below, freed only in `finalize`, which N-API
      // calls after the last `call_js`.
      let hooks = unsafe { &*(context as *const WakerHooks) };
      let env = Env::from_raw(env);
      let _ = std::panic::catch_unwind(|| (hooks.on_wake)(&env));
    }
    unsafe extern "C" fn finalize(
      _env: sys::napi_env,
      data: *mut std::ffi::c_void,
      _hint: *mut std::ffi::c_void,
    ) {
      // SAFETY: `data` is the box leaked below, finalized once.
      let hooks = unsafe { Box::from_raw(data as *mut WakerHooks) };
      let _ = std::panic::catch_unwind(|| (hooks.on_close)(hooks.key));
    }
    let hooks = Box::into_raw(Box::new(WakerHooks {
      on_wake,
      on_close,
      key,
    }));
    let name = env.create_string("qrhash pool")?;
    let mut raw = ptr::null_mut();
    // SAFETY: handles of `env`; no JavaScript function, so `call_js` is given; `hooks` is both
    // the context and the finalize data, and lives until `finalize`.
    let status = unsafe {
      sys::napi_create_threadsafe_function(
        env.raw(),
        ptr::null_mut(),
        ptr::null_mut(),
        name.raw(),
        0,
        1,
        hooks.cast(),
        Some(finalize),
        hooks.cast(),
        Some(call_js),
        &mut raw,
      )
    };
    if status != sys::Status::napi_ok {
      // SAFETY: not handed to N-API, so still ours to free.
      drop(unsafe { Box::from_raw(hooks) });
      napi::check_status!(status)?;
    }
    let waker = Self(raw);
    waker.hold(env, false);
    Ok(waker)
  }

  /// Asks for `on_wake` to run on the environment's thread; `false` if it is closing.
  pub fn wake(&self) -> bool {
    // SAFETY: `self.0` is live until its finalizer, which removes every way to reach `self`
    // (see `pool::forget_waker`) under the same lock callers hold.
    let status = unsafe {
      sys::napi_call_threadsafe_function(
        self.0,
        ptr::null_mut(),
        sys::ThreadsafeFunctionCallMode::nonblocking,
      )
    };
    status == sys::Status::napi_ok
  }

  /// Whether the waker keeps the environment's event loop alive (work is waiting for a wake).
  pub fn hold(&self, env: &Env, held: bool) {
    // SAFETY: on the environment's own thread, with its live threadsafe function.
    unsafe {
      if held {
        sys::napi_ref_threadsafe_function(env.raw(), self.0);
      } else {
        sys::napi_unref_threadsafe_function(env.raw(), self.0);
      }
    }
  }
}

/// Runs `hook(key)` when `env` is torn down (a worker's end, the process's exit), after its
/// pool work has drained.
pub fn on_teardown(env: &Env, hook: fn(usize), key: usize) -> napi::Result<()> {
  unsafe extern "C" fn run(arg: *mut std::ffi::c_void) {
    // SAFETY: `arg` is the box leaked below, run once.
    let (hook, key) = *unsafe { Box::from_raw(arg as *mut (fn(usize), usize)) };
    let _ = std::panic::catch_unwind(|| hook(key));
  }
  let arg = Box::into_raw(Box::new((hook, key)));
  // SAFETY: `run` frees `arg` once, when N-API calls it.
  napi::check_status!(unsafe { sys::napi_add_env_cleanup_hook(env.raw(), Some(run), arg.cast()) })
}
