// The Linux futex on a word of shared memory, shared between processes (no FUTEX_PRIVATE_FLAG).
#pragma once
#include <v8.h>

namespace weft {

void FutexWait(const v8::FunctionCallbackInfo<v8::Value>& args);
void FutexWake(const v8::FunctionCallbackInfo<v8::Value>& args);
void FutexWaitAsync(const v8::FunctionCallbackInfo<v8::Value>& args);

// Per-isolate set-up: registers the cleanup hook that releases pending async waits when a
// worker thread (or the main environment) is torn down.
void InitFutex(v8::Isolate* isolate);

}  // namespace weft
