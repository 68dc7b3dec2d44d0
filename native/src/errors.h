// Helpers that turn a failed system call into a JavaScript Error carrying Node-style fields
// (code, errno, syscall, path), so callers can branch on err.code as with node:fs.
#pragma once
#include <v8.h>
#include <string>

namespace weft {

// Throws Error("weft: <what>: <strerror> (<CODE>)") with code/errno/syscall/path set.
void ThrowErrno(v8::Isolate* isolate, int err, const char* syscall, const std::string& what,
                const std::string& path);

void ThrowType(v8::Isolate* isolate, const std::string& message);
void ThrowRange(v8::Isolate* isolate, const std::string& message);

// Builds a JS string; V8 only fails here for strings beyond its maximum length.
v8::Local<v8::String> Str(v8::Isolate* isolate, const std::string& s);

}  // namespace weft
