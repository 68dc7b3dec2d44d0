#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NAME_MAX_LEN 200

void weft_throw_last_error(napi_env env, const char* what) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return;
  const napi_extended_error_info* info = NULL;
  napi_get_last_error_info(env, &info);
  char message[512];
  snprintf(message, sizeof message, "weft: Node-API call failed: %s (%s)", what,
           info && info->error_message ? info->error_message : "no details");
  napi_throw_error(env, NULL, message);
}

const char* weft_errno_name(int err) {
  switch (err) {
#define NAME(e) case e: return #e;
    NAME(EPERM) NAME(ENOENT) NAME(EINTR) NAME(EIO) NAME(EBADF) NAME(EAGAIN) NAME(ENOMEM)
    NAME(EACCES) NAME(EFAULT) NAME(EBUSY) NAME(EEXIST) NAME(ENODEV) NAME(ENOTDIR) NAME(EISDIR)
    NAME(EINVAL) NAME(ENFILE) NAME(EMFILE) NAME(EFBIG) NAME(ENOSPC) NAME(EROFS) NAME(ENAMETOOLONG)
    NAME(ENOSYS) NAME(ELOOP) NAME(EOVERFLOW) NAME(EOPNOTSUPP) NAME(ETIMEDOUT) NAME(EDQUOT)
#undef NAME
    default: return "UNKNOWN";
  }
}

static void set_property(napi_env env, napi_value obj, const char* key, napi_value value) {
  napi_set_named_property(env, obj, key, value);
}

void weft_throw_errno(napi_env env, int err, const char* syscall, const char* what, const char* path) {
  const char* code = weft_errno_name(err);
  char message[1024];
  snprintf(message, sizeof message, "weft: %s: %s (%s)", what, strerror(err), code);
  napi_value msg, code_value, error, number;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &code_value);
  napi_create_error(env, code_value, msg, &error);
  napi_create_int32(env, -err, &number);  // negative, as libuv and node:fs report it
  set_property(env, error, "errno", number);
  set_property(env, error, "syscall", weft_string(env, syscall));
  if (path && *path) set_property(env, error, "path", weft_string(env, path));
  napi_throw(env, error);
}

static void throw_formatted(napi_env env, bool range, const char* fmt, va_list args) {
  char message[512] = "weft: ";
  vsnprintf(message + 6, sizeof message - 6, fmt, args);
  if (range) napi_throw_range_error(env, NULL, message);
  else napi_throw_type_error(env, NULL, message);
}

void weft_throw_type(napi_env env, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  throw_formatted(env, false, fmt, args);
  va_end(args);
}

void weft_throw_range(napi_env env, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  throw_formatted(env, true, fmt, args);
  va_end(args);
}

bool weft_args(napi_env env, napi_callback_info info, size_t argc, napi_value* argv) {
  size_t got = argc;
  if (napi_get_cb_info(env, info, &got, argv, NULL, NULL) != napi_ok) {
    weft_throw_last_error(env, "napi_get_cb_info");
    return false;
  }
  return true;
}

bool weft_number(napi_env env, napi_value value, const char* what, double* out) {
  if (napi_get_value_double(env, value, out) != napi_ok) {
    weft_throw_type(env, "%s must be a number", what);
    return false;
  }
  return true;
}

bool weft_segment_name(napi_env env, napi_value value, char* out) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) {
    weft_throw_type(env, "segment name must be a string");
    return false;
  }
  bool ok = length >= 1 && length <= NAME_MAX_LEN;
  if (ok) {
    napi_get_value_string_utf8(env, value, out, NAME_MAX_LEN + 1, &length);
    ok = out[0] != '.';
    for (size_t i = 0; ok && i < length; i++) {
      char c = out[i];
      ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
    }
  }
  if (!ok) {
    weft_throw_type(env, "invalid segment name (1-200 characters of [A-Za-z0-9._-], not starting with '.')");
    return false;
  }
  return true;
}

napi_value weft_string(napi_env env, const char* s) {
  napi_value value = NULL;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &value);
  return value;
}

napi_value weft_undefined(napi_env env) {
  napi_value value = NULL;
  napi_get_undefined(env, &value);
  return value;
}

bool weft_view_memory(napi_env env, napi_value value, char** data, size_t* byte_length, bool* shared, int* type_out) {
  bool is_typed = false, is_view = false;
  napi_value buffer = NULL;
  void* base = NULL;
  if (napi_is_typedarray(env, value, &is_typed) == napi_ok && is_typed) {
    napi_typedarray_type type;
    size_t length = 0, offset = 0;
    napi_get_typedarray_info(env, value, &type, &length, &base, &buffer, &offset);
    size_t element = 1;
    switch (type) {
      case napi_int16_array: case napi_uint16_array: element = 2; break;
      case napi_int32_array: case napi_uint32_array: case napi_float32_array: element = 4; break;
      case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: element = 8; break;
      default: element = (int)type == 11 ? 2 : 1;  // 11: Float16Array, named only in newer headers
    }
    *byte_length = length * element;
    if (type_out) *type_out = (int)type;
  } else if (napi_is_dataview(env, value, &is_view) == napi_ok && is_view) {
    size_t offset = 0;
    napi_get_dataview_info(env, value, byte_length, &base, &buffer, &offset);
    if (type_out) *type_out = -1;
  } else {
    weft_throw_type(env, "expected a TypedArray or DataView");
    return false;
  }
  // A view's buffer is an ArrayBuffer or a SharedArrayBuffer; Node-API before version 10
  // cannot name the second, so "not an ArrayBuffer" is how it is told.
  bool plain = false;
  napi_is_arraybuffer(env, buffer, &plain);
  *shared = !plain;
  *data = (char*)base;
  return true;
}
