#include "errors.h"

#include <cstring>
#include <uv.h>

namespace weft {

v8::Local<v8::String> Str(v8::Isolate* isolate, const std::string& s) {
  return v8::String::NewFromUtf8(isolate, s.c_str(), v8::NewStringType::kNormal,
                                 static_cast<int>(s.size()))
      .ToLocalChecked();
}

static void Set(v8::Isolate* isolate, v8::Local<v8::Object> obj, const char* key,
                v8::Local<v8::Value> value) {
  obj->Set(isolate->GetCurrentContext(), Str(isolate, key), value).Check();
}

void ThrowErrno(v8::Isolate* isolate, int err, const char* syscall, const std::string& what,
                const std::string& path) {
  // uv_err_name takes libuv's negative errno and gives the symbolic name ("EEXIST").
  const char* code = uv_err_name(-err);
  std::string message = "weft: " + what + ": " + std::strerror(err) + " (" + code + ")";
  v8::Local<v8::Value> error = v8::Exception::Error(Str(isolate, message));
  v8::Local<v8::Object> obj = error.As<v8::Object>();
  Set(isolate, obj, "code", Str(isolate, code));
  Set(isolate, obj, "errno", v8::Integer::New(isolate, -err));
  Set(isolate, obj, "syscall", Str(isolate, syscall));
  if (!path.empty()) Set(isolate, obj, "path", Str(isolate, path));
  isolate->ThrowException(error);
}

void ThrowType(v8::Isolate* isolate, const std::string& message) {
  isolate->ThrowException(v8::Exception::TypeError(Str(isolate, "weft: " + message)));
}

void ThrowRange(v8::Isolate* isolate, const std::string& message) {
  isolate->ThrowException(v8::Exception::RangeError(Str(isolate, "weft: " + message)));
}

}  // namespace weft
