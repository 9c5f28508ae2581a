//! The built-ins that decide how a binary argument is read, captured once when the module
//! loads in an environment.
//!
//! Whether a buffer's length can change, how long a view is, and the `Uint8Array` made over a
//! view's memory are asked of JavaScript's own getters and constructor as they were at load
//! time, never of properties or globals at call time: an own `resizable: false`, a subclass
//! getter, a patched `ArrayBuffer.prototype`, a forged `byteLength` or a replaced
//! `globalThis.Uint8Array` changes none of the answers, and runs none of the caller's code.
//! (N-API itself answers neither whether a buffer is resizable nor, before Node 24, anything
//! about a SharedArrayBuffer.)

use std::cell::RefCell;
use std::mem::ManuallyDrop;

use napi::bindgen_prelude::{Object, Unknown};
use napi::{Env, JsValue};
use napi_derive::napi;

use crate::napi_raw::{self, Reference};

/// Evaluated once per environment; every name it uses is looked up now and kept in a closure.
/// Each getter is called with `Reflect.apply`, so it reads the internal slot of the value it is
/// given (and throws for a value of another kind) whatever the value's own properties say.
const SCRIPT: &str = r#"(() => {
  'use strict'
  const { apply } = Reflect
  const { getOwnPropertyDescriptor, getPrototypeOf } = Object
  const U8 = Uint8Array
  const getter = (prototype, name) => getOwnPropertyDescriptor(prototype, name)?.get
  const call = (get, value) => (get === undefined ? undefined : apply(get, value, []))
  const typedArray = getPrototypeOf(U8.prototype)
  const shared = typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer.prototype : {}
  const get = {
    bufferLength: getter(ArrayBuffer.prototype, 'byteLength'),
    resizable: getter(ArrayBuffer.prototype, 'resizable'),
    sharedLength: getter(shared, 'byteLength'),
    growable: getter(shared, 'growable'),
    viewBuffer: getter(typedArray, 'buffer'),
    viewOffset: getter(typedArray, 'byteOffset'),
    viewLength: getter(typedArray, 'byteLength'),
    dataBuffer: getter(DataView.prototype, 'buffer'),
    dataOffset: getter(DataView.prototype, 'byteOffset'),
    dataLength: getter(DataView.prototype, 'byteLength'),
  }
  // What `value` is: 0 an ArrayBuffer of fixed length, 1 a resizable one, 2 a SharedArrayBuffer
  // of fixed length, 3 a growable one, -1 neither.
  const kind = (value) => {
    try {
      call(get.bufferLength, value)
      return call(get.resizable, value) === true ? 1 : 0
    } catch {}
    try {
      call(get.sharedLength, value)
      return call(get.growable, value) === true ? 3 : 2
    } catch {}
    return -1
  }
  // A Uint8Array over the bytes of `value`: a TypedArray (form 0), a DataView (1), or an
  // ArrayBuffer or SharedArrayBuffer (2).
  const uint8 = (value, form) => {
    if (form === 2) return new U8(value)
    const typed = form === 0
    return new U8(
      call(typed ? get.viewBuffer : get.dataBuffer, value),
      call(typed ? get.viewOffset : get.dataOffset, value),
      call(typed ? get.viewLength : get.dataLength, value),
    )
  }
  // A DataView's buffer (its own getter, which does not throw when the buffer is detached).
  const dataViewBuffer = (value) => call(get.dataBuffer, value)
  // A copy of a Uint8Array's bytes in a new buffer of fixed length.
  const copy = (view) => new U8(view)
  // What a value that is not data is, and what to pass instead, for the objects people pass
  // by mistake; undefined for anything else. Web types are told by their own getters' brand
  // checks. (Only called for a value already refused, while the arguments are read.)
  const prototypeOf = (Class) => (typeof Class === 'function' ? Class.prototype : {})
  const brands = [
    [getter(prototypeOf(globalThis.Response), 'bodyUsed'), 'a Response: pass await response.arrayBuffer(), or pipe response.body into createSha256()'],
    [getter(prototypeOf(globalThis.Request), 'bodyUsed'), 'a Request: pass await request.arrayBuffer()'],
    [getter(prototypeOf(globalThis.Blob), 'size'), 'a Blob: pass await blob.arrayBuffer()'],
    [getter(prototypeOf(globalThis.ReadableStream), 'locked'), 'a ReadableStream: pipe it into createSha256(), or pass await new Response(stream).arrayBuffer()'],
  ]
  const PromiseClass = Promise
  const plainPrototype = Object.prototype
  const what = (value) => {
    for (const [brand, phrase] of brands) {
      try {
        call(brand, value)
        if (brand !== undefined) return phrase
      } catch {}
    }
    try {
      if (value instanceof PromiseClass) return 'a Promise: await it first'
      if (typeof value.pipe === 'function' && typeof value.on === 'function') {
        return 'a stream: pipe it into createSha256() (await pipeline(stream, hasher))'
      }
      const prototype = getPrototypeOf(value)
      if (prototype === plainPrototype || prototype === null) {
        return 'a plain object: pass a string (JSON.stringify(object), say) or bytes'
      }
    } catch {}
    return undefined
  }
  return [kind, uint8, dataViewBuffer, copy, what]
})()"#;

/// The functions `SCRIPT` returns, in its order.
struct Captured {
  /// The environment they belong to (its raw address).
  env: usize,
  kind: Reference,
  uint8: Reference,
  data_view_buffer: Reference,
  copy: Reference,
  what: Reference,
}

thread_local! {
  // Never dropped: N-API frees an environment's references when the environment is torn
  // down, which happens before this thread's locals are destroyed.
  static CAPTURED: RefCell<ManuallyDrop<Option<Captured>>> =
    const { RefCell::new(ManuallyDrop::new(None)) };
}

/// Runs when the module loads in an environment (the main thread, each worker), before any
/// export can be called there.
#[napi(module_exports)]
pub fn capture(_exports: Object, env: Env) -> napi::Result<()> {
  let functions: Unknown = env.run_script(SCRIPT)?;
  let function = |index: u32| -> napi::Result<Reference> {
    let value = napi_raw::element(&env, &functions, index)
      .ok_or_else(|| napi::Error::from_reason("capturing the built-ins failed"))?;
    Reference::new(&env, &value)
  };
  let captured = Captured {
    env: env.raw() as usize,
    kind: function(0)?,
    uint8: function(1)?,
    data_view_buffer: function(2)?,
    copy: function(3)?,
    what: function(4)?,
  };
  CAPTURED.with_borrow_mut(|slot| {
    if let Some(previous) = slot.replace(captured) {
      // The thread hosted another environment before; its references went with it.
      std::mem::forget(previous);
    }
  });
  Ok(())
}

/// Calls one of the captured functions of `env` with `args`; an error if it threw (it does only
/// when given a value of the wrong kind, which callers rule out first).
fn call<'env, const N: usize>(
  env: &'env Env,
  which: fn(&Captured) -> &Reference,
  args: [&Unknown; N],
) -> napi::Result<Unknown<'env>> {
  let function = CAPTURED.with_borrow(|captured| match captured.as_ref() {
    Some(captured) if captured.env == env.raw() as usize => which(captured).value(env),
    _ => Err(napi::Error::from_reason(
      "qrhash was not initialised in this environment",
    )),
  })?;
  napi_raw::call(env, &function, args).ok_or_else(|| {
    napi_raw::take_exception(env);
    napi::Error::from_reason("a built-in refused the value")
  })
}

/// What kind of buffer a value is, as its internal slots say.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BufferKind {
  /// An ArrayBuffer or SharedArrayBuffer whose length never changes.
  Fixed,
  /// A resizable ArrayBuffer.
  Resizable,
  /// A growable SharedArrayBuffer.
  Growable,
  /// Not an ArrayBuffer nor a SharedArrayBuffer.
  NotABuffer,
}

impl BufferKind {
  /// How a message names a buffer whose length can change.
  pub fn changing(self) -> Option<&'static str> {
    match self {
      Self::Resizable => Some("a resizable ArrayBuffer"),
      Self::Growable => Some("a growable SharedArrayBuffer"),
      Self::Fixed | Self::NotABuffer => None,
    }
  }
}

/// What kind of buffer `value` is.
pub fn buffer_kind(env: &Env, value: &Unknown) -> napi::Result<BufferKind> {
  let kind = call(env, |c| &c.kind, [value])?;
  Ok(match napi_raw::number(&kind) {
    Some(0.0) | Some(2.0) => BufferKind::Fixed,
    Some(1.0) => BufferKind::Resizable,
    Some(3.0) => BufferKind::Growable,
    _ => BufferKind::NotABuffer,
  })
}

/// Which kind of value [`uint8_over`] is given.
#[derive(Clone, Copy)]
pub enum ViewForm {
  TypedArray = 0,
  DataView = 1,
  Buffer = 2,
}

/// A new `Uint8Array` over the same bytes as `value`, a TypedArray, DataView, ArrayBuffer or
/// SharedArrayBuffer as `form` says, with the offset and length its internal slots hold.
pub fn uint8_over<'env>(
  env: &'env Env,
  value: &Unknown<'env>,
  form: ViewForm,
) -> napi::Result<Unknown<'env>> {
  let form = env.create_int32(form as i32)?.to_unknown();
  call(env, |c| &c.uint8, [value, &form])
}

/// A DataView's buffer, from its internal slot.
pub fn data_view_buffer<'env>(env: &'env Env, view: &Unknown<'env>) -> napi::Result<Unknown<'env>> {
  call(env, |c| &c.data_view_buffer, [view])
}

/// A copy of a `Uint8Array`'s bytes in a new buffer of fixed length (so that under WASI emnapi
/// never sees a resizable original).
pub fn fixed_copy<'env>(env: &'env Env, view: &Unknown<'env>) -> napi::Result<Unknown<'env>> {
  call(env, |c| &c.copy, [view])
}

/// What `value`, an object qrhash does not take as data, is and what to pass instead (`a
/// Response: pass await response.arrayBuffer() …`), for the objects people pass by mistake.
/// Runs the caller's getters (a stream's `pipe`), so only while the arguments are read.
pub fn what_instead(env: &Env, value: &Unknown) -> Option<String> {
  call(env, |c| &c.what, [value])
    .ok()
    .and_then(|phrase| napi_raw::string(&phrase))
}
