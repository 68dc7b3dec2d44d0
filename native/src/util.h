// Small helpers over Node-API: argument checks and errors shaped like node:fs errors
// (code, errno, syscall, path), so JavaScript callers can branch on err.code.
#pragma once
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>

// Evaluates a Node-API call; on failure throws (unless an exception is already pending) and
// returns NULL from the calling function.
#define NAPI_OK(env, call)                                  \
  do {                                                      \
    if ((call) != napi_ok) {                                \
      weft_throw_last_error(env, #call);                    \
      return NULL;                                          \
    }                                                       \
  } while (0)

void weft_throw_last_error(napi_env env, const char* what);
// Throws Error("weft: <what>: <strerror> (<CODE>)") with code, errno, syscall and path set.
void weft_throw_errno(napi_env env, int err, const char* syscall, const char* what, const char* path);
void weft_throw_type(napi_env env, const char* fmt, ...);
void weft_throw_range(napi_env env, const char* fmt, ...);

// The symbolic name of an errno value ("EEXIST"), or "UNKNOWN".
const char* weft_errno_name(int err);

// Reads up to `argc` arguments into argv (missing ones are undefined).
bool weft_args(napi_env env, napi_callback_info info, size_t argc, napi_value* argv);
// A number argument; throws TypeError naming `what` when it is not one.
bool weft_number(napi_env env, napi_value value, const char* what, double* out);
// A /dev/shm segment name: 1-200 characters of [A-Za-z0-9._-], not starting with '.'.
// Writes it NUL-terminated into out (at least 201 bytes). Throws TypeError otherwise.
bool weft_segment_name(napi_env env, napi_value value, char* out);

napi_value weft_string(napi_env env, const char* s);
napi_value weft_undefined(napi_env env);

// Memory behind a TypedArray or DataView: the view's first byte, its length in bytes, whether
// its buffer is a SharedArrayBuffer, and (when `type` is not NULL) its napi_typedarray_type, or
// -1 for a DataView. Throws TypeError when value is neither.
bool weft_view_memory(napi_env env, napi_value value, char** data, size_t* byte_length, bool* shared, int* type);
